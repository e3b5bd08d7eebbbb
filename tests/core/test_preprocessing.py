"""backend/preprocessing.py: any picture of a digit -> MNIST's 28x28 normalization."""

import io
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest
from PIL import Image, ImageDraw

from backend.core.preprocessing import EmptyCanvas, ImageTooLarge, InvalidImage, decode, preprocess, upright
from backend.core.samples import canvas_png, mnist_png
from tests.support.images import mpo, png_16bit, png_claiming, seven, with_orientation


def _encode(image: Image.Image, fmt: str = "PNG", **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def _centre_of_mass(field):
    total = field.sum()
    rows, cols = np.indices(field.shape)
    return (rows * field).sum() / total, (cols * field).sum() / total


def _seven(size=280, ink=(0, 0, 0, 255), background=(0, 0, 0, 0), offset=(0, 0), scale=1.0, width=20):
    """A hand-drawn-looking 7 on a canvas, as the app's canvas would export it."""
    image = Image.new("RGBA", (size, size), background)
    draw = ImageDraw.Draw(image)
    dx, dy = offset
    points = [(80, 60), (200, 60), (120, 230)]
    points = [(dx + x * scale, dy + y * scale) for x, y in points]
    draw.line(points, fill=ink, width=round(width * scale), joint="curve")
    return image


def test_mnist_digits_come_back_almost_unchanged(mnist):
    _, (x_test, _) = mnist
    for digit in x_test[:50]:
        field = preprocess(mnist_png(digit))
        assert field.shape == (28, 28) and field.dtype == np.float32
        assert field.min() >= 0.0 and field.max() == pytest.approx(1.0)
        assert np.abs(field - digit / 255.0).mean() < 0.03


def test_output_is_mnist_normalized_whatever_the_size_and_position():
    fields = [
        preprocess(_encode(_seven(offset=offset, scale=scale)))
        for offset, scale in [((0, 0), 1.0), ((-30, -20), 0.5), ((100, 40), 0.4), ((-80, -60), 1.2)]
    ]
    for field in fields:
        rows = np.flatnonzero(field.any(axis=1))
        cols = np.flatnonzero(field.any(axis=0))
        assert max(rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1) == 20  # longer side fits 20 px
        centre = _centre_of_mass(field)
        assert abs(centre[0] - 14) <= 0.75 and abs(centre[1] - 14) <= 0.75  # centred by mass
    for field in fields[1:]:
        assert np.abs(field - fields[0]).mean() < 0.06


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: _seven(), id="black ink on transparent"),
        pytest.param(lambda: _seven(ink=(255, 255, 255, 255)), id="white ink on transparent"),
        pytest.param(lambda: _seven(background=(255, 255, 255, 255)).convert("RGB"), id="black on white RGB"),
        pytest.param(
            lambda: _seven(ink=(255, 255, 255, 255), background=(0, 0, 0, 255)).convert("L"), id="white on black L"
        ),
        pytest.param(
            lambda: _seven(ink=(40, 40, 120, 255), background=(235, 230, 215, 255)).convert("RGB"),
            id="blue pen on cream paper",
        ),
    ],
)
def test_polarity_and_background_are_decided_from_the_image(make):
    reference = preprocess(_encode(_seven()))
    field = preprocess(_encode(make()))
    assert field[0].max() == 0 and field[:, 0].max() == 0  # background is 0 (MNIST polarity)
    assert np.abs(field - reference).mean() < 0.03


@pytest.mark.parametrize("fmt", ["JPEG", "WEBP", "GIF"])
def test_other_formats_decode_to_the_same_digit(fmt):
    reference = preprocess(_encode(_seven()))
    image = _seven(background=(255, 255, 255, 255)).convert("RGB")
    field = preprocess(_encode(image if fmt != "GIF" else image.convert("P"), fmt))
    assert np.abs(field - reference).mean() < 0.04


def test_animated_gif_uses_the_first_frame():
    first = _seven(background=(255, 255, 255, 255)).convert("P")
    blank = Image.new("P", first.size, first.getpixel((0, 0)))
    data = _encode(first, "GIF", save_all=True, append_images=[blank])
    np.testing.assert_allclose(preprocess(data), preprocess(_encode(first, "GIF")))


@pytest.mark.parametrize(
    "image",
    [
        pytest.param(Image.new("RGBA", (280, 280), (0, 0, 0, 0)), id="transparent"),
        pytest.param(Image.new("RGB", (280, 280), (255, 255, 255)), id="white"),
        pytest.param(Image.new("L", (28, 28), 0), id="black MNIST-size"),
    ],
)
def test_blank_images_are_empty_canvases(image):
    with pytest.raises(EmptyCanvas):
        preprocess(_encode(image))


def test_a_stray_speck_is_still_an_empty_canvas():
    image = Image.new("RGBA", (280, 280), (0, 0, 0, 0))
    image.putpixel((140, 140), (0, 0, 0, 255))
    with pytest.raises(EmptyCanvas):
        preprocess(_encode(image))


@pytest.mark.parametrize("side", [100_000, 5_000])
def test_decompression_bomb_is_refused_before_decoding(side):
    with pytest.raises(ImageTooLarge, match="too large"):
        preprocess(png_claiming(side, side))


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"definitely not an image", id="text"),
        pytest.param(_encode(_seven())[:300], id="truncated PNG"),
        pytest.param(_encode(_seven().convert("RGB"), "BMP"), id="BMP"),
        pytest.param(b"", id="no bytes"),
    ],
)
def test_unreadable_data_is_an_invalid_image(data):
    with pytest.raises(InvalidImage):
        preprocess(data)


def test_canvas_drawings_of_mnist_digits_are_recognized(mnist, predictor):
    """500 test digits re-drawn as canvas strokes (upscaled, thick, off-centre, transparent)."""
    _, (x_test, y_test) = mnist
    rng = np.random.default_rng(2026)
    sample = rng.choice(len(x_test), 500, replace=False)
    predicted = [predictor.predict(preprocess(canvas_png(x_test[i], rng)))[0].argmax() for i in sample]
    accuracy = np.mean(np.array(predicted) == y_test[sample])
    assert accuracy >= 0.98, f"canvas-style accuracy {accuracy:.1%}"


# --- pictures real devices send ------------------------------------------------------------


def _seven_on_white(size=280) -> Image.Image:
    return seven(size, background=(255, 255, 255, 255)).convert("RGB")


def test_16_bit_grayscale_png_is_scaled_not_clipped():
    """A 16-bit scan (PIL mode I;16) with dark ink: PIL's own conversion calls every pixel white."""
    ink = np.asarray(_seven_on_white().convert("L"), dtype=np.float64) / 255
    data = png_16bit(np.round(ink * 60_000 + 2_000).astype(np.uint16))
    assert Image.open(io.BytesIO(data)).mode == "I;16"
    reference = preprocess(_encode(_seven()))
    assert np.abs(preprocess(data) - reference).mean() < 0.03


def test_16_bit_rgba_png_reads_like_the_8_bit_one():
    rgba = np.asarray(_seven(), dtype=np.uint16) * 257
    np.testing.assert_allclose(preprocess(png_16bit(rgba)), preprocess(_encode(_seven())), atol=1e-6)


@pytest.mark.parametrize("orientation", [3, 6, 8])
def test_jpeg_exif_orientation_is_applied(orientation):
    upright = preprocess(with_orientation(_seven_on_white(), 1))
    turned = with_orientation(_seven_on_white(), orientation)
    stored_only = Image.open(io.BytesIO(turned))
    stored_only.getexif().clear()
    assert np.abs(preprocess(turned) - upright).mean() < 0.02
    assert np.abs(preprocess(_encode(stored_only, "JPEG", quality=95)) - upright).mean() > 0.05  # the tag matters


def test_mpo_from_a_phone_camera_uses_its_first_frame():
    data = mpo(_seven_on_white(), Image.new("RGB", (280, 280), "white"))
    assert Image.open(io.BytesIO(data)).format == "MPO"
    reference = preprocess(_encode(_seven_on_white(), "JPEG", quality=95))
    assert np.abs(preprocess(data) - reference).mean() < 0.01


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: _seven_on_white().convert("CMYK"), id="CMYK JPEG"),
        pytest.param(lambda: _seven_on_white().convert("L").convert("1"), id="bilevel PNG"),
        pytest.param(lambda: _seven().convert("LA"), id="LA PNG"),
        pytest.param(lambda: _seven(background=(255, 255, 255, 255)).convert("P"), id="palette PNG"),
        pytest.param(
            lambda: _seven(background=(255, 255, 255, 0)).quantize(8), id="palette PNG with a transparent colour"
        ),
    ],
)
def test_other_modes_read_like_the_reference(make):
    image = make()
    data = _encode(image, "JPEG" if image.mode == "CMYK" else "PNG")
    assert np.abs(preprocess(data) - preprocess(_encode(_seven()))).mean() < 0.04


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda: _encode(seven(2000)), id="transparent PNG 2000 px"),
        pytest.param(lambda: _encode(seven(2000, background=(255, 255, 255, 255))), id="opaque RGBA PNG 2000 px"),
        pytest.param(lambda: _encode(seven(1500, background=(255, 255, 255, 0)).quantize(8)), id="palette PNG"),
        pytest.param(lambda: _encode(seven(3000, background=(230, 230, 220, 255)).convert("RGB"), "JPEG"), id="JPEG"),
    ],
)
def test_large_pictures_are_shrunk_early_and_read_the_same(make):
    assert np.abs(preprocess(make()) - preprocess(_encode(_seven()))).mean() < 0.03


def test_full_size_decodes_have_their_own_lower_pixel_limit():
    """A PNG must be decoded whole, a JPEG can be decoded at 1/8: the PNG limit is lower."""
    with pytest.raises(ImageTooLarge, match="8,388,608"):
        preprocess(png_claiming(4096, 4096))
    big_jpeg = _encode(Image.new("L", (4096, 4096), 255), "JPEG")
    with pytest.raises(EmptyCanvas):  # decoded (at reduced size), not refused
        preprocess(big_jpeg)
    with pytest.raises(ImageTooLarge):
        preprocess(big_jpeg, max_pixels=4096 * 4095)
    with pytest.raises(EmptyCanvas):
        preprocess(_encode(Image.new("L", (100, 100), 255)), max_full_decode_pixels=10_000)
    with pytest.raises(ImageTooLarge, match="10,000"):
        preprocess(_encode(Image.new("L", (101, 100), 255)), max_full_decode_pixels=10_000)


def test_a_broken_exif_block_is_ignored():
    data = bytearray(with_orientation(_seven_on_white(), 6))
    start = data.index(b"Exif\0\0")
    data[start + 6 : start + 14] = b"XXXXXXXX"  # not a TIFF header any more
    field = preprocess(bytes(data))
    assert field.shape == (28, 28)


def _pillow_pixels(data: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(data)) as image:
        return np.asarray(upright(image.copy()))


@pytest.mark.parametrize(
    "make",
    [
        pytest.param(lambda rng: canvas_png(rng.integers(0, 256, (28, 28), dtype=np.uint8), rng), id="canvas RGBA"),
        pytest.param(lambda rng: _encode(Image.fromarray(rng.integers(0, 256, (40, 50, 3), dtype=np.uint8))), id="RGB"),
        pytest.param(lambda rng: _encode(Image.fromarray(rng.integers(0, 256, (40, 50), dtype=np.uint8))), id="L"),
        pytest.param(
            lambda rng: _encode(Image.fromarray(rng.integers(0, 256, (40, 50, 4), dtype=np.uint8)), optimize=True),
            id="RGBA optimized",
        ),
    ],
)
def test_plain_pngs_decode_to_the_same_pixels_as_pillow(make):
    """Wuffs decodes plain 8-bit PNGs (the canvas's), Pillow the rest: the pixels must not depend on which."""
    data = make(np.random.default_rng(3))
    fast = decode(data)
    assert fast.mode in ("L", "RGB", "RGBA")
    np.testing.assert_array_equal(np.asarray(fast), _pillow_pixels(data))


def test_threads_decoding_at_once_each_get_their_own_picture():
    """A server worker's threads decode side by side: each thread's decoder is its own."""
    rng = np.random.default_rng(4)
    pngs = [canvas_png(rng.integers(0, 256, (28, 28), dtype=np.uint8), rng) for _ in range(16)]
    expected = [_pillow_pixels(data) for data in pngs]
    with ThreadPoolExecutor(max_workers=8) as pool:
        for _ in range(5):
            decoded = list(pool.map(lambda data: np.asarray(decode(data)), pngs))
            for pixels, want in zip(decoded, expected, strict=True):
                np.testing.assert_array_equal(pixels, want)


def test_a_decoded_canvas_keeps_its_pixels_when_the_thread_decodes_the_next():
    """A canvas picture uses the decoder's output in place: the next decode must not write over it."""
    rng = np.random.default_rng(5)
    first, second = (canvas_png(rng.integers(0, 256, (28, 28), dtype=np.uint8), rng) for _ in range(2))
    picture = decode(first)
    before = np.asarray(picture).copy()
    decode(second)
    np.testing.assert_array_equal(np.asarray(picture), before)
    picture.putpixel((0, 0), (1, 2, 3, 4))  # and it can be drawn on (Pillow copies it first)
    assert picture.getpixel((0, 0)) == (1, 2, 3, 4)


@pytest.mark.parametrize(
    "image",
    [
        pytest.param(Image.new("LA", (30, 30), (0, 0)), id="LA"),
        pytest.param(Image.new("P", (30, 30), 0), id="palette"),
        pytest.param(Image.new("1", (30, 30), 1), id="1-bit"),
    ],
)
def test_other_pngs_keep_pillows_decoding(image):
    data = _encode(image)
    assert np.asarray(decode(data)).shape == _pillow_pixels(data).shape


def test_a_damaged_plain_png_is_an_invalid_image():
    data = bytearray(canvas_png(np.full((28, 28), 255, np.uint8), np.random.default_rng(0)))
    start = data.index(b"IDAT") + 4
    data[start + 2 : start + 40] = bytes(38)  # the compressed pixels no longer inflate
    with pytest.raises(InvalidImage, match="truncated or corrupt"):
        preprocess(bytes(data))
