"""Turn an uploaded picture of a digit into the 28x28 tensor an MNIST model expects.

MNIST's own recipe: ink bright on black, cropped to the ink, the longer side scaled to
20 px (antialiased, aspect kept), then placed in a 28x28 field with its centre of mass
at the centre. Doing the same to a canvas drawing is what makes it look like MNIST.
"""

from __future__ import annotations

import contextlib
import io
import threading
import warnings
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageChops, ImageOps
from pywuffs import ImageDecoderType, PixelFormat
from pywuffs.aux import ImageDecoder, ImageDecoderConfig

from backend.core.contract import SIDE

# MPO is what phone cameras write: JPEG frames (the photo first, then previews or depth maps).
ACCEPTED_FORMATS = {"PNG", "JPEG", "MPO", "WEBP", "GIF"}
SCALED_FORMATS = {"JPEG", "MPO"}  # decoded at 1/2, 1/4 or 1/8 size straight from the compressed data
# Plain 8-bit PNG modes (a canvas exports RGBA) that Wuffs decodes to the same pixels as Pillow.
WUFFS_MODES = {"L", "RGB", "RGBA"}
MAX_IMAGE_PIXELS = 4096 * 4096  # refused before decoding: a small file can claim a huge image
# PNG, WebP and GIF can only be decoded whole: a 87 KB PNG can claim 4096x4096 RGBA, 64 MB and a
# quarter of a second of CPU per request. Their own, lower limit still admits a 4K screenshot
# (3840x2160); JPEG photos up to MAX_IMAGE_PIXELS cost little, being decoded at reduced size.
MAX_FULL_DECODE_PIXELS = 2**23  # 8,388,608
WORKING_SIZE = 512  # larger pictures are shrunk to this first; a digit needs no more detail
NOISE_FLOOR = 0.1  # ink below this (after background removal) is paper texture or JPEG noise
FIT_SIZE = 20
FIELD_SIZE = SIDE
# Centre of mass of MNIST's own digits, in pixel-index coordinates (measured on the test set).
MNIST_CENTRE = 14.0


class PreprocessingError(ValueError):
    """Base for input the preprocessing cannot use; `code` is a stable machine-readable name."""

    code = "invalid_image"


class InvalidImage(PreprocessingError):
    """The bytes are not a readable PNG, JPEG (or MPO), WebP or GIF image."""

    code = "invalid_image"


class ImageTooLarge(PreprocessingError):
    """The image's dimensions exceed MAX_IMAGE_PIXELS."""

    code = "image_too_large"


class EmptyCanvas(PreprocessingError):
    """Nothing (or next to nothing) is drawn: there is no digit to read."""

    code = "empty_canvas"


def decode(
    data: bytes, max_pixels: int = MAX_IMAGE_PIXELS, max_full_decode_pixels: int = MAX_FULL_DECODE_PIXELS
) -> Image.Image:
    """Bytes -> a decoded PIL image, upright (first frame for GIFs and MPOs).

    The header is checked before any pixel is decoded, so a decompression bomb is refused
    without allocating it: any picture may claim at most `max_pixels`, and one that can only
    be decoded at full size (PNG, WebP, GIF) at most `max_full_decode_pixels`. JPEGs larger
    than WORKING_SIZE are decoded at a reduced scale (the pixels beyond it would be thrown
    away). The EXIF orientation is applied (phone photos are stored sideways with a tag
    saying so). Raises InvalidImage or ImageTooLarge.
    """
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in ACCEPTED_FORMATS:
                raise InvalidImage(f"{image.format} images are not accepted; send PNG, JPEG, WebP or GIF.")
            width, height = image.size
            if width * height > max_pixels:
                raise ImageTooLarge(f"The image is too large: {width}x{height} pixels, the limit is {max_pixels:,}.")
            if image.format not in SCALED_FORMATS and width * height > max_full_decode_pixels:
                raise ImageTooLarge(
                    f"The image is too large: {width}x{height} pixels; {image.format} pictures may have at most "
                    f"{max_full_decode_pixels:,} (JPEG photos up to {max_pixels:,})."
                )
            image.seek(0)
            if _plain_png(image, data):
                return _decode_plain_png(data, image.mode)
            if image.format in SCALED_FORMATS and max(width, height) > WORKING_SIZE:
                scale = WORKING_SIZE / max(width, height)
                image.draft(image.mode, (max(1, round(width * scale)), max(1, round(height * scale))))
            image.load()
    except PreprocessingError:
        raise
    except Image.UnidentifiedImageError:
        raise InvalidImage("The data is not a PNG, JPEG, WebP or GIF image.") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageTooLarge(f"The image is too large: it claims more than {max_pixels:,} pixels.") from None
    except (OSError, SyntaxError, ValueError, EOFError) as error:
        raise InvalidImage(f"The image data is truncated or corrupt ({error}).") from error
    return upright(image)


def _plain_png(image: Image.Image, data: bytes) -> bool:
    """Whether Wuffs may decode this PNG: 8 bits a sample, L/RGB/RGBA, no colour-key transparency, no EXIF.

    The others need Pillow (palettes, 16 or fewer than 8 bits, tRNS alpha, EXIF that may turn the
    picture); these decode to identical pixels in half the time: a request's largest cost.
    """
    return (
        image.format == "PNG"
        and image.mode in WUFFS_MODES
        and image.tile[0].args == image.mode  # the raw mode: 8 bits a sample, nothing to unpack
        and "transparency" not in image.info
        and b"eXIf" not in data
    )


# Wuffs ("Wrangling Untrusted File Formats Safely", Google's memory-safe decoders, as in Chromium's
# Skia) decodes a canvas PNG in half libspng's time: inflating the pixels is most of a decode, and
# its inflate is far faster than zlib's, which libspng and Pillow use. A decoder keeps state
# between calls, so each thread has its own.
_decoders = threading.local()


def _wuffs() -> ImageDecoder:
    if not hasattr(_decoders, "png"):
        config = ImageDecoderConfig()
        config.enabled_decoders = [ImageDecoderType.PNG]
        # Every mode as 4 bytes a pixel, alpha not multiplied in: Pillow's own layout for RGBA,
        # which it then uses in place (frombuffer), without a copy.
        config.pixel_format = PixelFormat.RGBA_NONPREMUL
        _decoders.png = ImageDecoder(config)
    return _decoders.png


def _decode_plain_png(data: bytes, mode: str) -> Image.Image:
    """A plain PNG (see `_plain_png`) of `mode` decoded by Wuffs, as a Pillow image of that mode."""
    result = _wuffs().decode(data)  # bytes; never a str, which it would open as a file name
    if result.error_message:
        raise InvalidImage(f"The image data is truncated or corrupt ({result.error_message}).")
    rgba = result.pixbuf
    size = (rgba.shape[1], rgba.shape[0])
    if mode == "L":  # gray arrives as R = G = B
        return Image.fromarray(np.ascontiguousarray(rgba[..., 0]))
    if mode == "RGBA":  # Pillow's own layout: used in place, not copied
        return Image.frombuffer(mode, size, rgba, "raw", "RGBA", 0, 1)
    return Image.frombytes(mode, size, rgba, "raw", "RGBX")


def upright(image: Image.Image) -> Image.Image:
    """The image turned as its EXIF orientation tag says (in place); unchanged without one.

    A malformed EXIF block is ignored rather than refused: the pixels are still readable.
    """
    with contextlib.suppress(Exception):  # EXIF parsing raises many types; the orientation is a nicety
        ImageOps.exif_transpose(image, in_place=True)
    return image


def ink_map(image: Image.Image) -> np.ndarray:
    """A decoded image -> float32 (H, W) ink strength in [0, 1]: ink bright, background 0.

    A transparent background (what `canvas.toDataURL()` gives) makes alpha the ink. Otherwise
    the border pixels tell the background: a light border means dark ink, which is inverted.
    The background level is subtracted and weak noise dropped, so off-white paper reads as 0.
    """
    image = _eight_bit(image)
    if max(image.size) > WORKING_SIZE:
        image = _shrink(image)
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image if image.mode == "RGBA" else image.convert("RGBA")  # a canvas PNG is RGBA: no copy
        alpha = np.asarray(rgba.getchannel("A"))
        if _border_median(alpha) < 128:
            return _drop_background(alpha.astype(np.float32) / 255.0)  # whatever is opaque is ink
        image = Image.alpha_composite(Image.new("RGBA", rgba.size, (255, 255, 255, 255)), rgba)
    gray = np.asarray(image.convert("L"), dtype=np.float32) / 255.0
    return _drop_background(1.0 - gray if _border_median(gray) > 0.5 else gray)


def _eight_bit(image: Image.Image) -> Image.Image:
    """16-bit grayscale (PNG's I;16, or I) -> L scaled to 0-255 (LA when a value is transparent).

    PIL's own conversion clips at 255 instead of scaling, which turns every pixel of a
    16-bit picture but the darkest white.
    """
    if not image.mode.startswith("I"):
        return image
    values = np.asarray(image).astype(np.float32)
    gray = Image.fromarray(np.clip(np.round(values / 257.0), 0, 255).astype(np.uint8), "L")
    transparent = image.info.get("transparency")
    if isinstance(transparent, int):
        alpha = Image.fromarray(np.where(values == transparent, 0, 255).astype(np.uint8), "L")
        return Image.merge("LA", (gray, alpha))
    return gray


def _shrink(image: Image.Image) -> Image.Image:
    """A picture larger than WORKING_SIZE -> L or LA whose longer side is WORKING_SIZE.

    Luminance and alpha are taken as separate one-byte channels (PIL keeps RGB, RGBA and
    LA at four bytes a pixel), reduced by an integer box filter and resized with a box
    filter. Gray is premultiplied by alpha while it is averaged, so that the colour of
    transparent pixels does not bleed into the strokes. No full-size copy is made.
    """
    if image.mode not in ("RGBA", "LA", "PA") and "transparency" in image.info:
        image = image.convert("RGBA")  # a palette's or a colour key's transparency becomes alpha
    if image.mode not in ("RGBA", "LA", "PA"):
        return _box_shrink(image.convert("L"))
    alpha = image.getchannel("A")
    premultiplied = _box_shrink(ImageChops.multiply(image.convert("L"), alpha))
    alpha = _box_shrink(alpha)
    a = np.asarray(alpha, dtype=np.float32)
    gray = np.where(a > 0, np.asarray(premultiplied, dtype=np.float32) * 255.0 / np.maximum(a, 1.0), 0.0)
    return Image.merge("LA", (Image.fromarray(np.clip(np.round(gray), 0, 255).astype(np.uint8)), alpha))


def _box_shrink(channel: Image.Image) -> Image.Image:
    """One 8-bit channel -> its longer side WORKING_SIZE: integer reduction, then a box filter."""
    factor = max(channel.size) // (2 * WORKING_SIZE)
    if factor > 1:
        channel = channel.reduce(factor)
    scale = WORKING_SIZE / max(channel.size)
    size = (max(1, round(channel.width * scale)), max(1, round(channel.height * scale)))
    return channel.resize(size, Image.Resampling.BOX)


def _drop_background(ink: np.ndarray) -> np.ndarray:
    """Subtract the border's ink level (paper tone) and zero what is left below NOISE_FLOOR."""
    background = _border_median(ink)
    if background > 0:
        ink = np.clip((ink - background) / (1.0 - background), 0.0, 1.0)
    ink *= ink >= NOISE_FLOOR  # zeroes what is below (ink is never negative): a third of a masked assignment's cost
    return ink


def _border_median(array: np.ndarray) -> float:
    """The median of the outermost ring of pixels of a 2-D array.

    A canvas drawing's border is all 0 (transparent, no ink): 2 µs to see, against 10-16 for a median.
    """
    border = np.concatenate([array[0], array[-1], array[1:-1, 0], array[1:-1, -1]])
    return float(np.median(border)) if border.any() else 0.0


@dataclass(frozen=True)
class Placement:
    """Where `normalize` put the ink: `ink[top:bottom, left:right]` resized to `size`, pasted at `offset`.

    What maps a field pixel back to the drawing (number boxes, explanation heatmaps).
    """

    crop: tuple[int, int, int, int]  # (top, left, bottom, right) in the ink map, bottom and right exclusive
    size: tuple[int, int]  # (height, width) of the resized ink in the field
    offset: tuple[int, int]  # (row, column) of its top-left corner in the field


def normalize(ink: np.ndarray) -> np.ndarray:
    """Ink map (H, W) -> float32 (28, 28) in [0, 1], normalized the way MNIST was.

    Raises EmptyCanvas when there is (next to) no ink.
    """
    return normalize_placed(ink)[0]


def normalize_placed(ink: np.ndarray) -> tuple[np.ndarray, Placement]:
    """`normalize`, and where it put the ink (its `Placement`)."""
    height, width = ink.shape
    if ink.sum() < max(4.0, 0.0005 * height * width):
        raise EmptyCanvas("Nothing is drawn: draw a digit first.")
    rows = np.flatnonzero(ink.any(axis=1))
    cols = np.flatnonzero(ink[rows[0] : rows[-1] + 1].any(axis=0))  # ink columns lie within the ink rows
    cropped = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]

    scale = FIT_SIZE / max(cropped.shape)
    fit_h = max(1, round(cropped.shape[0] * scale))
    fit_w = max(1, round(cropped.shape[1] * scale))
    fitted = Image.fromarray(cropped).resize((fit_w, fit_h), Image.Resampling.LANCZOS)
    fitted = np.clip(np.asarray(fitted, dtype=np.float32), 0.0, 1.0)
    if fitted.max() <= 0:
        raise EmptyCanvas("Nothing is drawn: draw a digit first.")
    fitted /= fitted.max()  # MNIST strokes peak at full intensity

    total = fitted.sum()
    centre_y = (fitted.sum(axis=1) * np.arange(fit_h)).sum() / total
    centre_x = (fitted.sum(axis=0) * np.arange(fit_w)).sum() / total
    top = int(np.clip(round(MNIST_CENTRE - centre_y), 0, FIELD_SIZE - fit_h))
    left = int(np.clip(round(MNIST_CENTRE - centre_x), 0, FIELD_SIZE - fit_w))
    field = np.zeros((FIELD_SIZE, FIELD_SIZE), dtype=np.float32)
    field[top : top + fit_h, left : left + fit_w] = fitted
    crop = (int(rows[0]), int(cols[0]), int(rows[-1]) + 1, int(cols[-1]) + 1)
    return field, Placement(crop, (fit_h, fit_w), (top, left))


@dataclass(frozen=True)
class Prepared:
    """A picture made ready for the model: the 28x28 field, and the shape of the ink it came from.

    `extent`: the ink box's longer side as a share of the picture's longer side (a dot is
    tiny); `aspect`: the ink box's width / height (several digits side by side are wide).
    """

    field: np.ndarray
    extent: float
    aspect: float


def ink_shape(ink: np.ndarray) -> tuple[float, float]:
    """(extent, aspect) of the ink in an ink map; (0, 1) when there is none."""
    rows, cols = np.flatnonzero(ink.any(axis=1)), np.flatnonzero(ink.any(axis=0))
    if len(rows) == 0:
        return 0.0, 1.0
    return _box_shape(rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1, ink.shape)


def _box_shape(height: int, width: int, shape: tuple[int, int]) -> tuple[float, float]:
    """(extent, aspect) of an ink box of `height` x `width` in a picture of `shape`."""
    return max(height, width) / max(shape), width / height


def prepare(
    data: bytes, max_pixels: int = MAX_IMAGE_PIXELS, max_full_decode_pixels: int = MAX_FULL_DECODE_PIXELS
) -> Prepared:
    """Image bytes -> the field and the ink's shape. Raises as `preprocess` does."""
    ink = ink_map(decode(data, max_pixels, max_full_decode_pixels))
    field, placement = normalize_placed(ink)
    top, left, bottom, right = placement.crop  # the ink's box, found once (ink_shape would search again)
    return Prepared(field, *_box_shape(bottom - top, right - left, ink.shape))


def preprocess(
    data: bytes, max_pixels: int = MAX_IMAGE_PIXELS, max_full_decode_pixels: int = MAX_FULL_DECODE_PIXELS
) -> np.ndarray:
    """Image bytes (PNG/JPEG/MPO/WebP/GIF, any size, either polarity) -> float32 (28, 28) in [0, 1].

    The one preprocessing function: the API, the CLI, the benchmark and the tests call it
    (through `prepare` when they also want the ink's shape). Raises InvalidImage,
    ImageTooLarge or EmptyCanvas.
    """
    return prepare(data, max_pixels, max_full_decode_pixels).field
