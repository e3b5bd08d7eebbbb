"""POST /read-number and `explain`, over real HTTP against the real server (gunicorn, the shipped model)."""

import base64
import io
import json

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage

from backend.core.preprocessing import ink_map, normalize
from backend.core.samples import canvas_png, data_url, mnist_number
from tests.support.model import shipped_model
from tests.support.server import running_server

ANSWER_FIELDS = ["number", "digits", "width", "height", "model"]
DIGIT_FIELDS = ["box", "digit", "confidence", "probabilities", "verdict", "reason", "alternatives"]
PREDICT_FIELDS = ["digit", "confidence", "probabilities", "input", "model", "verdict", "reason", "alternatives"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    with running_server(tmp_path_factory.mktemp("reading"), workers=1, threads=2) as running:
        yield running
        assert "Traceback" not in running.log(), running.log()[-3000:]


def post(server, path, body: dict):
    status, _, raw = server.request("POST", path, json.dumps(body).encode(), {"Content-Type": "application/json"})
    return status, json.loads(raw)


def post_form(server, path, png: bytes, fields: dict):
    boundary = "----reading-test"
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode() for k, v in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="image"; filename="n.png"\r\n'
        "Content-Type: image/png\r\n\r\n".encode()
        + png
        + b"\r\n"
    )
    body = b"".join(parts) + f"--{boundary}--\r\n".encode()
    status, _, raw = server.request("POST", path, body, {"Content-Type": f"multipart/form-data; boundary={boundary}"})
    return status, json.loads(raw)


def png_of(picture: Image.Image) -> bytes:
    buffer = io.BytesIO()
    picture.save(buffer, format="PNG")
    return buffer.getvalue()


def picture_of(url: str) -> Image.Image:
    return Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))


@pytest.fixture(scope="module")
def numbers(mnist):
    """Four-digit MNIST numbers whose every digit the shipped model reads right on its own."""
    _, (x_test, y_test) = mnist
    model = shipped_model()
    rng = np.random.default_rng(7)
    found = []
    while len(found) < 5:
        number = mnist_number(x_test, y_test, 4, rng)
        alone = model(np.asarray([normalize(ink_map(p)) for p in number.alone])).argmax(axis=1)
        if list(alone) == number.labels:
            found.append(number)
    return found


def test_a_written_number_is_read_digit_by_digit_with_boxes(server, numbers):
    for number in numbers:
        status, body = post(server, "/read-number", {"image": data_url(png_of(number.picture))})
        assert status == 200, body
        assert list(body) == ANSWER_FIELDS
        assert body["number"] == number.text
        assert (body["width"], body["height"]) == number.picture.size
        for answer, (top, left, bottom, right), label in zip(body["digits"], number.boxes, number.labels, strict=True):
            assert list(answer) == DIGIT_FIELDS
            assert answer["box"] == {"x": left, "y": top, "width": right - left, "height": bottom - top}
            assert answer["digit"] == label
            assert len(answer["probabilities"]) == 10 and abs(sum(answer["probabilities"]) - 1) < 1e-4
            assert answer["confidence"] == max(answer["probabilities"]) == answer["probabilities"][label]
            assert answer["verdict"] in ("digit", "unsure", "not_a_digit") and answer["alternatives"][0] == label


def test_boxes_are_in_the_pictures_own_pixels_when_it_is_large(server, numbers):
    """A picture over 512 px is shrunk to be read; the boxes still measure the picture sent."""
    number = numbers[0]
    large = number.picture.resize((1000, 400), Image.Resampling.BILINEAR)
    status, body = post(server, "/read-number", {"image": data_url(png_of(large)), "explain": True})
    assert status == 200 and body["number"] == number.text and (body["width"], body["height"]) == (1000, 400)
    for answer, (top, left, bottom, right) in zip(body["digits"], number.boxes, strict=True):
        box = answer["box"]
        assert abs(box["x"] - 2 * left) <= 4 and abs(box["y"] - 2 * top) <= 4
        assert abs(box["width"] - 2 * (right - left)) <= 6 and abs(box["height"] - 2 * (bottom - top)) <= 6
    heatmap = picture_of(body["explanation"]["heatmap"])
    assert heatmap.size == (512, 205)  # the ink map's size, the picture's proportions


def heat_off_the_ink(heatmap: Image.Image, picture: Image.Image) -> float:
    """The share of the heatmap's visible pixels further than 2 px from the picture's ink."""
    heat = np.asarray(heatmap.convert("RGBA"))[..., 3] > 0
    ink = ink_map(picture) > 0
    near = ndimage.binary_dilation(ink, iterations=2)
    return float((heat & ~near).sum() / max(1, heat.sum()))


def test_explain_adds_a_heatmap_over_the_number(server, numbers):
    number = numbers[1]
    png = png_of(number.picture)
    status, body = post(server, "/read-number", {"image": data_url(png), "explain": True})
    assert status == 200 and list(body) == [*ANSWER_FIELDS, "explanation"]
    assert body["explanation"]["method"] == "occlusion"
    heatmap = picture_of(body["explanation"]["heatmap"])
    assert heatmap.size == number.picture.size
    assert heat_off_the_ink(heatmap, number.picture) == 0
    colours = np.asarray(heatmap.convert("RGBA")).astype(int)
    red = (colours[..., 0] > 200) & (colours[..., 1] < 60) & (colours[..., 3] > 200)
    for top, left, bottom, right in number.boxes:  # every digit has its hottest, red strokes
        assert red[top:bottom, left:right].any()

    status, form = post_form(server, "/read-number", png, {"explain": "true"})
    assert status == 200 and form["number"] == body["number"] and "explanation" in form
    status, plain = post_form(server, "/read-number", png, {})
    assert status == 200 and "explanation" not in plain


def test_predict_explains_on_request_and_keeps_its_fields_otherwise(server, mnist):
    _, (x_test, y_test) = mnist
    png = canvas_png(x_test[3], np.random.default_rng(3))
    status, plain = post(server, "/predict", {"image": data_url(png)})
    assert status == 200 and list(plain) == PREDICT_FIELDS
    status, body = post(server, "/predict", {"image": data_url(png), "explain": True})
    assert status == 200 and list(body) == [*PREDICT_FIELDS, "explanation"]
    assert body["digit"] == plain["digit"] == y_test[3] and body["probabilities"] == plain["probabilities"]
    heatmap = picture_of(body["explanation"]["heatmap"])
    picture = Image.open(io.BytesIO(png))
    assert heatmap.size == picture.size == (280, 280)
    assert heat_off_the_ink(heatmap, picture) == 0
    status, false = post(server, "/predict", {"image": data_url(png), "explain": False})
    assert status == 200 and list(false) == PREDICT_FIELDS


@pytest.mark.parametrize("path", ["/predict", "/read-number"])
def test_explain_must_be_a_boolean(server, numbers, path):
    png = png_of(numbers[0].picture)
    status, body = post(server, path, {"image": data_url(png), "explain": "yes"})
    assert status == 400 and body["error"]["code"] == "invalid_explain_field"
    status, body = post_form(server, path, png, {"explain": "perhaps"})
    assert status == 400 and body["error"]["code"] == "invalid_explain_field"


def test_bad_requests_get_clear_errors(server):
    blank = png_of(Image.new("RGBA", (500, 200), (0, 0, 0, 0)))
    status, body = post(server, "/read-number", {"image": data_url(blank)})
    assert status == 422 and body["error"]["code"] == "empty_canvas"

    marks = np.zeros((200, 500), np.uint8)
    marks[90:110, 5:495:14] = 255  # 35 short strokes, far apart: not a number
    page = Image.new("RGBA", (500, 200), (0, 0, 0, 0))
    page.putalpha(Image.fromarray(marks))
    status, body = post(server, "/read-number", {"image": data_url(png_of(page))})
    assert status == 422 and body["error"]["code"] == "too_many_digits" and "30" in body["error"]["message"]

    status, body = post(server, "/read-number", {"picture": "nothing"})
    assert status == 400 and body["error"]["code"] == "missing_image"
    status, body = post(server, "/read-number", {"image": "not base64!"})
    assert status == 400 and body["error"]["code"] == "invalid_base64"
    status, _, raw = server.request("GET", "/read-number")
    assert status == 405 and json.loads(raw)["error"]["code"] == "method_not_allowed"
    status, _, raw = server.request("POST", "/read-number", b"digits", {"Content-Type": "text/plain"})
    assert status == 415 and json.loads(raw)["error"]["code"] == "unsupported_media_type"
