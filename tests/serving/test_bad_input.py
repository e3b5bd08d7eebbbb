"""POST /predict against bad, odd and hostile input: always a documented 4xx JSON error or a correct 200.

Never a 5xx, and the app stays healthy after every case. Each case is
(id, request, expected status, expected error code; None for a 200 whose digit must match
the reference drawing's).
"""

import base64
import io
import json
import struct
import zlib

import numpy as np
import pytest
from PIL import Image

from tests.support.images import encode, mpo, png_16bit, png_claiming, seven, with_orientation

LIMIT = 2 * 1024 * 1024  # DIGITS_MAX_REQUEST_BYTES' default


def _on_white(size=280):
    return seven(size, background=(255, 255, 255, 255)).convert("RGB")


def png():
    return encode(seven())


def url(data: bytes, media: str = "image/png") -> str:
    return f"data:{media};base64," + base64.b64encode(data).decode()


def as_json(image) -> dict:
    return dict(json={"image": image})


def raw(body: bytes | str, content_type: str | None = "application/json") -> dict:
    request = dict(data=body)
    if content_type is not None:
        request["content_type"] = content_type
    return request


def upload(data: bytes, name: str = "digit.png", field: str = "image") -> dict:
    return dict(data={field: (io.BytesIO(data), name)}, content_type="multipart/form-data")


def chunked(body: bytes) -> dict:
    """A body without Content-Length, as a chunked request reaches the app (the server dechunks it)."""
    return dict(
        input_stream=io.BytesIO(body),
        content_type="application/json",
        headers={"Transfer-Encoding": "chunked"},
        environ_overrides={"wsgi.input_terminated": True},
    )


def nested(depth: int, open_: str = "[", close: str = "]") -> str:
    return open_ * depth + close * depth


def truncated(data: bytes, keep: float = 0.5) -> bytes:
    return data[: int(len(data) * keep)]


def bad_crc_png() -> bytes:
    data = bytearray(png())
    data[29:33] = b"\0\0\0\0"  # IHDR's CRC
    return bytes(data)


def animated_gif() -> bytes:
    first = _on_white().convert("P")
    return encode(first, "GIF", save_all=True, append_images=[Image.new("P", first.size, 0)], duration=100, loop=0)


def blank_animated_gif() -> bytes:
    frames = [Image.new("P", (100, 100), 0), Image.new("P", (100, 100), 1)]
    return encode(frames[0], "GIF", save_all=True, append_images=frames[1:])


def gray_16_bit() -> bytes:
    ink = np.asarray(_on_white().convert("L"), dtype=np.float64) / 255
    return png_16bit(np.round(ink * 60_000 + 2_000).astype(np.uint16))


def multipart_parts(count: int) -> dict:
    fields = {f"field{i}": "x" for i in range(count)}
    return dict(data=fields, content_type="multipart/form-data")


def broken_multipart() -> dict:
    body = b'--XyZ\r\nContent-Disposition: form-data; name="image"; filename="a.png"\r\n\r\n' + png()  # no end
    return raw(body, "multipart/form-data; boundary=XyZ")


def pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def svg() -> bytes:
    return b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><path d="M1 1L9 9"/></svg>'


def zero_width_png() -> bytes:
    header = struct.pack(">IIBBBBB", 0, 10, 8, 0, 0, 0, 0)

    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")


B = 400
CASES = [
    # --- the body is not usable JSON
    ("malformed JSON", lambda: raw("{not json"), B, "invalid_json"),
    ("empty JSON body", lambda: raw(""), B, "invalid_json"),
    ("JSON with trailing garbage", lambda: raw('{"image": "x"} tail'), B, "invalid_json"),
    ("JSON that is not UTF-8", lambda: raw(b'{"image": "\xff\xfe\xfa"}'), B, "invalid_json"),
    ("JSON nested 981 deep", lambda: raw(nested(981)), B, "invalid_json"),
    ("JSON nested 100,000 deep", lambda: raw(nested(100_000)), B, "invalid_json"),
    ("JSON objects nested 5,000 deep", lambda: raw('{"a":' * 5000 + "1" + "}" * 5000), B, "invalid_json"),
    ("image nested 5,000 deep", lambda: raw('{"image": ' + nested(5000) + "}"), B, "invalid_json"),
    ("a 5,000-digit number", lambda: raw('{"image": 1' + "0" * 5000 + "}"), B, "invalid_json"),
    ("a lone surrogate", lambda: raw('{"image": "\\ud800"}'), B, "invalid_base64"),
    # --- JSON, but not the expected object
    ("JSON null", lambda: raw("null"), B, "missing_image"),
    ("JSON number", lambda: raw("42"), B, "missing_image"),
    ("JSON string", lambda: raw('"data:image/png;base64,AAAA"'), B, "missing_image"),
    ("JSON true", lambda: raw("true"), B, "missing_image"),
    ("JSON array", lambda: dict(json=["x"]), B, "missing_image"),
    ("empty object", lambda: dict(json={}), B, "missing_image"),
    ("wrong key", lambda: dict(json={"picture": "x"}), B, "missing_image"),
    ("image is null", lambda: as_json(None), B, "invalid_image_field"),
    ("image is a number", lambda: as_json(42), B, "invalid_image_field"),
    ("image is NaN", lambda: raw('{"image": NaN}'), B, "invalid_image_field"),
    ("image is true", lambda: as_json(True), B, "invalid_image_field"),
    ("image is a list", lambda: as_json([url(png())]), B, "invalid_image_field"),
    ("image is an object", lambda: as_json({"data": url(png())}), B, "invalid_image_field"),
    ("image nested 500 deep", lambda: raw('{"image": ' + nested(500) + "}"), B, "invalid_image_field"),
    # --- the string is not base64
    ("empty string", lambda: as_json(""), B, "invalid_base64"),
    ("whitespace only", lambda: as_json("  \n\t "), B, "invalid_base64"),
    ("invalid base64 characters", lambda: as_json("data:image/png;base64,@@@!!"), B, "invalid_base64"),
    ("bad padding", lambda: as_json("abc"), B, "invalid_base64"),
    ("non-ASCII base64", lambda: as_json("ÿÿÿÿ"), B, "invalid_base64"),
    ("data URL without ;base64", lambda: as_json("data:image/png,rawbytes"), B, "invalid_base64"),
    ("bare data: URL", lambda: as_json("data:,"), B, "invalid_base64"),
    ("data URL with no payload", lambda: as_json("data:image/png;base64,"), B, "invalid_base64"),
    # --- base64, but not a picture we read
    ("text", lambda: as_json(base64.b64encode(b"hello world").decode()), B, "invalid_image"),
    ("1.4 MB of zeros", lambda: as_json(base64.b64encode(bytes(1_400_000)).decode()), B, "invalid_image"),
    ("SVG", lambda: as_json(url(svg(), "image/svg+xml")), B, "invalid_image"),
    ("BMP", lambda: as_json(url(encode(_on_white(), "BMP"), "image/bmp")), B, "invalid_image"),
    ("TIFF", lambda: as_json(url(encode(_on_white(), "TIFF"), "image/tiff")), B, "invalid_image"),
    ("ICO", lambda: as_json(url(encode(_on_white(64), "ICO"), "image/x-icon")), B, "invalid_image"),
    ("PDF", lambda: as_json(url(pdf(), "application/pdf")), B, "invalid_image"),
    ("JPEG 2000", lambda: as_json(url(encode(_on_white(), "JPEG2000"))), B, "invalid_image"),
    ("PNG signature only", lambda: as_json(url(png()[:8])), B, "invalid_image"),
    ("PNG cut after 60 bytes", lambda: as_json(url(png()[:60])), B, "invalid_image"),
    ("PNG cut in half", lambda: as_json(url(truncated(encode(_on_white())))), B, "invalid_image"),
    ("PNG with a bad CRC", lambda: as_json(url(bad_crc_png())), B, "invalid_image"),
    ("PNG 0 pixels wide", lambda: as_json(url(zero_width_png())), B, "invalid_image"),
    ("JPEG cut in half", lambda: as_json(url(truncated(encode(_on_white(), "JPEG")))), B, "invalid_image"),
    ("GIF cut in half", lambda: as_json(url(truncated(encode(_on_white().convert("P"), "GIF")))), B, "invalid_image"),
    ("WebP cut in half", lambda: as_json(url(truncated(encode(_on_white(), "WEBP")))), B, "invalid_image"),
    # --- too large
    ("PNG claiming 100,000 x 100,000", lambda: as_json(url(png_claiming(100_000, 100_000))), 413, "image_too_large"),
    ("PNG claiming 4096 x 4096", lambda: as_json(url(png_claiming(4096, 4096))), 413, "image_too_large"),
    ("PNG claiming 5000 x 5000", lambda: as_json(url(png_claiming(5000, 5000))), 413, "image_too_large"),
    ("JSON body over the limit", lambda: raw(json.dumps({"image": "A" * (LIMIT + 1)})), 413, "request_too_large"),
    (
        "chunked JSON over the limit",
        lambda: chunked(json.dumps({"image": "A" * LIMIT}).encode()),
        413,
        "request_too_large",
    ),
    ("multipart over the limit", lambda: upload(bytes(LIMIT + 1)), 413, "request_too_large"),
    ("multipart with 101 parts", lambda: multipart_parts(101), 413, "request_too_large"),
    # --- nothing drawn
    ("1x1 white PNG", lambda: as_json(url(encode(Image.new("L", (1, 1), 255)))), 422, "empty_canvas"),
    ("1x1 black PNG", lambda: as_json(url(encode(Image.new("L", (1, 1), 0)))), 422, "empty_canvas"),
    ("1x1 transparent PNG", lambda: as_json(url(encode(Image.new("RGBA", (1, 1))))), 422, "empty_canvas"),
    ("white JPEG", lambda: as_json(url(encode(Image.new("RGB", (300, 200), "white"), "JPEG"))), 422, "empty_canvas"),
    ("transparent LA PNG", lambda: as_json(url(encode(Image.new("LA", (50, 50))))), 422, "empty_canvas"),
    ("blank animated GIF", lambda: as_json(url(blank_animated_gif())), 422, "empty_canvas"),
    ("blank 16-bit PNG", lambda: as_json(url(png_16bit(np.full((40, 40), 65535, np.uint16)))), 422, "empty_canvas"),
    # --- wrong content type, method or address
    ("text/plain", lambda: raw("hello", "text/plain"), 415, "unsupported_media_type"),
    ("no content type", lambda: raw(json.dumps({"image": url(png())}), None), 415, "unsupported_media_type"),
    ("form-urlencoded", lambda: dict(data={"image": url(png())}), 415, "unsupported_media_type"),
    ("XML", lambda: raw("<image/>", "application/xml"), 415, "unsupported_media_type"),
    ("JSON patch type", lambda: raw("{}", "application/json-patch+json"), 415, "unsupported_media_type"),
    ("image/png body", lambda: raw(png(), "image/png"), 415, "unsupported_media_type"),
    # --- multipart that is not a picture
    (
        "multipart without the field",
        lambda: dict(data={"other": "1"}, content_type="multipart/form-data"),
        B,
        "missing_image",
    ),
    (
        "multipart image as a text field",
        lambda: dict(data={"image": url(png())}, content_type="multipart/form-data"),
        B,
        "missing_image",
    ),
    ("multipart file under another name", lambda: upload(png(), field="picture"), B, "missing_image"),
    ("multipart without a boundary", lambda: raw(b"--x\r\n\r\n", "multipart/form-data"), B, "missing_image"),
    ("multipart never closed", broken_multipart, B, "missing_image"),
    ("multipart empty file", lambda: upload(b""), B, "invalid_image"),
    ("multipart text file", lambda: upload(b"not a picture", "notes.txt"), B, "invalid_image"),
    # --- odd but fine: a correct answer
    ("bare base64", lambda: as_json(base64.b64encode(png()).decode()), 200, None),
    ("base64 split over lines", lambda: as_json(base64.encodebytes(png()).decode()), 200, None),
    ("a data URL that says JPEG", lambda: as_json(url(png(), "image/jpeg")), 200, None),
    ("JSON in UTF-16", lambda: raw(json.dumps({"image": url(png())}).encode("utf-16")), 200, None),
    ("duplicate keys, last one a picture", lambda: raw('{"image": 1, "image": "' + url(png()) + '"}'), 200, None),
    (
        "Content-Type with a charset",
        lambda: raw(json.dumps({"image": url(png())}), "application/json; charset=latin-1"),
        200,
        None,
    ),
    ("Content-Type in capitals", lambda: raw(json.dumps({"image": url(png())}), "Application/JSON"), 200, None),
    ("chunked JSON under the limit", lambda: chunked(json.dumps({"image": url(png())}).encode()), 200, None),
    ("multipart PNG", lambda: upload(png()), 200, None),
    ("multipart JPEG with a .txt name", lambda: upload(encode(_on_white(), "JPEG"), "x.txt"), 200, None),
    ("animated GIF", lambda: as_json(url(animated_gif())), 200, None),
    (
        "palette PNG with transparency",
        lambda: as_json(url(encode(seven(background=(255, 255, 255, 0)).quantize(8)))),
        200,
        None,
    ),
    ("CMYK JPEG", lambda: as_json(url(encode(_on_white().convert("CMYK"), "JPEG"))), 200, None),
    ("progressive JPEG", lambda: as_json(url(encode(_on_white(), "JPEG", progressive=True))), 200, None),
    ("16-bit RGBA PNG", lambda: as_json(url(png_16bit(np.asarray(seven(), np.uint16) * 257))), 200, None),
    ("16-bit grayscale PNG", lambda: as_json(url(gray_16_bit())), 200, None),
    ("LA PNG", lambda: as_json(url(encode(seven().convert("LA")))), 200, None),
    ("bilevel PNG", lambda: as_json(url(encode(_on_white().convert("1")))), 200, None),
    ("lossless WebP with alpha", lambda: as_json(url(encode(seven(), "WEBP", lossless=True))), 200, None),
    ("MPO from a phone", lambda: as_json(url(mpo(_on_white(), Image.new("RGB", (280, 280), "gray")))), 200, None),
    ("JPEG turned by EXIF", lambda: as_json(url(with_orientation(_on_white(), 6))), 200, None),
    ("3000 px JPEG photo", lambda: as_json(url(encode(_on_white(3000), "JPEG", quality=70))), 200, None),
]


@pytest.fixture(scope="module")
def reference_digit(predictor):
    from backend.serving.app import create_app

    client = create_app({"TESTING": True}, predictor=predictor).test_client()
    return client.post("/predict", json={"image": url(png())}).json["digit"]


def test_the_suite_is_large():
    assert len(CASES) >= 60 and len({case[0] for case in CASES}) == len(CASES)


@pytest.mark.parametrize("make, status, code", [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_bad_input_gets_a_documented_answer_and_the_app_stays_healthy(client, reference_digit, make, status, code):
    response = client.post("/predict", **make())
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"
    if code is None:
        assert response.json["digit"] == reference_digit
    else:
        error = response.json["error"]
        assert error["code"] == code
        assert isinstance(error["message"], str) and error["message"]
    assert client.get("/health").status_code == 200


@pytest.mark.parametrize(
    "method, path, status, code",
    [
        ("GET", "/predict", 405, "method_not_allowed"),
        ("PUT", "/predict", 405, "method_not_allowed"),
        ("DELETE", "/health", 405, "method_not_allowed"),
        ("POST", "/nope", 404, "not_found"),
        ("GET", "/predict/../etc/passwd", 404, "not_found"),
        ("GET", "/assets/../../pyproject.toml", 404, "not_found"),
    ],
)
def test_wrong_methods_and_addresses(client, method, path, status, code):
    response = client.open(path, method=method)
    assert response.status_code == status and response.json["error"]["code"] == code
    assert client.get("/health").status_code == 200
