/**
 * Pillow's LANCZOS resize of a float32 ("F" mode) image, as Pillow 13 computes it (src/libImaging/Resample.c): the
 * coefficients in double precision, each row of them normalised to sum 1, two separable passes accumulating in double
 * and storing float32, the pass that shrinks most first. The server fits the digit with it; so must the device.
 */

const SUPPORT = 3; // Lanczos-3

function sinc(x: number): number {
  if (x === 0) return 1;
  const px = x * Math.PI;
  return Math.sin(px) / px;
}

function lanczos(x: number): number {
  return -3 <= x && x < 3 ? sinc(x) * sinc(x / 3) : 0;
}

/** One pass's taps: for output pixel i, `size[i]` weights from `kernel[i * stride]` on input pixels `first[i]`... */
interface Taps {
  first: Int32Array;
  size: Int32Array;
  kernel: Float64Array;
  stride: number;
}

/** `precompute_coeffs` for the box (0, inSize). */
function taps(inSize: number, outSize: number): Taps {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = SUPPORT * filterScale;
  const stride = Math.ceil(support) * 2 + 1;
  const inverse = 1 / filterScale;
  const first = new Int32Array(outSize);
  const size = new Int32Array(outSize);
  const kernel = new Float64Array(outSize * stride);
  for (let xx = 0; xx < outSize; xx++) {
    const centre = (xx + 0.5) * scale;
    const xmin = Math.max(0, Math.trunc(centre - support + 0.5)); // C's (int) cast truncates
    const xmax = Math.min(inSize, Math.trunc(centre + support + 0.5)) - xmin;
    const k = xx * stride;
    let total = 0;
    for (let x = 0; x < xmax; x++) {
      const w = lanczos((x + xmin - centre + 0.5) * inverse);
      kernel[k + x] = w;
      total += w;
    }
    if (total !== 0) for (let x = 0; x < xmax; x++) kernel[k + x] = kernel[k + x]! / total;
    first[xx] = xmin;
    size[xx] = xmax;
  }
  return { first, size, kernel, stride };
}

/** Rows `offset`..`offset + rows` of a (?, width) image resampled along x to `t`'s output width. */
function horizontal(src: Float32Array, width: number, offset: number, rows: number, t: Taps): Float32Array {
  const outWidth = t.first.length;
  const out = new Float32Array(outWidth * rows);
  for (let yy = 0; yy < rows; yy++) {
    const line = (yy + offset) * width;
    for (let xx = 0; xx < outWidth; xx++) {
      const start = line + t.first[xx]!;
      const k = xx * t.stride;
      let sum = 0;
      for (let x = 0, n = t.size[xx]!; x < n; x++) sum += src[start + x]! * t.kernel[k + x]!;
      out[yy * outWidth + xx] = sum; // stored as float32, as Pillow's FLOAT32 pixel
    }
  }
  return out;
}

/** A (?, width) image resampled along y to `t`'s output height. */
function vertical(src: Float32Array, width: number, t: Taps): Float32Array {
  const outHeight = t.first.length;
  const out = new Float32Array(width * outHeight);
  for (let yy = 0; yy < outHeight; yy++) {
    const first = t.first[yy]!;
    const k = yy * t.stride;
    for (let xx = 0; xx < width; xx++) {
      let sum = 0;
      for (let y = 0, n = t.size[yy]!; y < n; y++) sum += src[(y + first) * width + xx]! * t.kernel[k + y]!;
      out[yy * width + xx] = sum;
    }
  }
  return out;
}

/**
 * `Image.fromarray(src).resize((outWidth, outHeight), Image.Resampling.LANCZOS)` for a row-major float32 image of
 * `width` x `height`: the same float32 values (up to the last bit of a sine that the platform's Math.sin and C's sin
 * may round differently).
 */
export function resizeLanczos(
  src: Float32Array,
  width: number,
  height: number,
  outWidth: number,
  outHeight: number,
): Float32Array {
  if (width === outWidth && height === outHeight) return src.slice(); // Pillow returns a copy
  const needHorizontal = outWidth !== width;
  const needVertical = outHeight !== height;
  // Pillow: when the height shrinks more than twice as much as the width, the vertical pass goes first.
  const horizontalFirst = !(height - outHeight > 0 && height - outHeight > (width - outWidth) * 2);
  const columns = taps(height, outHeight);
  if (horizontalFirst) {
    let image = src;
    let imageWidth = width;
    if (needHorizontal) {
      // Only the rows the vertical pass will read.
      const firstRow = columns.first[0]!;
      const lastRow = columns.first[outHeight - 1]! + columns.size[outHeight - 1]!;
      for (let i = 0; i < outHeight; i++) columns.first[i] = columns.first[i]! - firstRow;
      image = horizontal(src, width, firstRow, lastRow - firstRow, taps(width, outWidth));
      imageWidth = outWidth;
    }
    return needVertical ? vertical(image, imageWidth, columns) : image;
  }
  const shrunk = vertical(src, width, columns); // horizontalFirst false: the height changes
  return needHorizontal ? horizontal(shrunk, width, 0, outHeight, taps(width, outWidth)) : shrunk;
}
