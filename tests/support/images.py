"""Test-only picture helpers shared by several test modules."""

import io
import struct
import zlib

import numpy as np
from PIL import Image, ImageDraw

EXIF_ORIENTATION = 0x0112


def _chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_claiming(width: int, height: int) -> bytes:
    """A tiny, well-formed PNG whose header claims `width` x `height` pixels."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b"\0" * 1000))
        + _chunk(b"IEND", b"")
    )


def png_16bit(array: np.ndarray) -> bytes:
    """uint16 (H, W) gray, (H, W, 2) gray+alpha, (H, W, 3) RGB or (H, W, 4) RGBA -> a 16-bit PNG.

    PIL cannot write 16-bit colour PNGs, and phones and scanners do send them.
    """
    array = np.asarray(array, dtype=">u2")
    height, width = array.shape[:2]
    channels = 1 if array.ndim == 2 else array.shape[2]
    color_type = {1: 0, 2: 4, 3: 2, 4: 6}[channels]
    rows = array.reshape(height, width * channels)
    raw = b"".join(b"\0" + row.tobytes() for row in rows)  # filter type 0 on every row
    header = struct.pack(">IIBBBBB", width, height, 16, color_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw)) + _chunk(b"IEND", b"")


def seven(size: int = 280, ink=(0, 0, 0, 255), background=(0, 0, 0, 0), width: int = 20) -> Image.Image:
    """A hand-drawn-looking 7 on an RGBA canvas (transparent by default, as the app exports)."""
    image = Image.new("RGBA", (size, size), background)
    scale = size / 280
    points = [(80 * scale, 60 * scale), (200 * scale, 60 * scale), (120 * scale, 230 * scale)]
    ImageDraw.Draw(image).line(points, fill=ink, width=max(1, round(width * scale)), joint="curve")
    return image


def encode(image: Image.Image, fmt: str = "PNG", **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def with_orientation(upright: Image.Image, orientation: int) -> bytes:
    """A JPEG whose pixels are stored turned, with the EXIF orientation tag that turns them back.

    `exif_transpose` applies ROTATE_180 for 3, ROTATE_270 for 6 and ROTATE_90 for 8; the
    stored pixels are the upright picture turned the other way.
    """
    stored = {
        1: upright,
        3: upright.transpose(Image.Transpose.ROTATE_180),
        6: upright.transpose(Image.Transpose.ROTATE_90),
        8: upright.transpose(Image.Transpose.ROTATE_270),
    }[orientation]
    exif = Image.Exif()
    exif[EXIF_ORIENTATION] = orientation
    return encode(stored.convert("RGB"), "JPEG", quality=95, exif=exif.tobytes())


def mpo(*frames: Image.Image) -> bytes:
    """A multi-picture JPEG (what phone cameras write): the first frame is the photo."""
    first, *rest = (frame.convert("RGB") for frame in frames)
    return encode(first, "MPO", save_all=True, append_images=rest, quality=95)
