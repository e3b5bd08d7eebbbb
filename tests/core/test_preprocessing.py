"""backend/preprocessing.py: any picture of a digit -> MNIST's 28x28 normalization."""

import io

import numpy as np
import pytest
from PIL import Image, ImageDraw

from backend.core.preprocessing import EmptyCanvas, ImageTooLarge, InvalidImage, preprocess
from backend.core.samples import canvas_png, mnist_png
from tests.support.images import png_claiming


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
