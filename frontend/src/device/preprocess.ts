/**
 * The server's preprocessing (backend/core/preprocessing.py: `ink_map`, `normalize_placed`, `prepare`) in TypeScript,
 * for the on-device reader: a picture's RGBA pixels -> the 28x28 field the model reads, and the ink's extent and
 * aspect that the verdict uses. Float32 where NumPy computes in float32, NumPy's summation order, Pillow's Lanczos:
 * the golden fixtures (`make test-frontend`) hold it to the Python within 1e-5 per pixel.
 *
 * Only pictures up to WORKING_SIZE on a side: what the app's canvases export (280x280, the number pad's 500x200).
 * The server first shrinks larger ones with Pillow's 8-bit box filter, which is not ported; they are refused here.
 */
import { border, borderLength, median32, medianOfIntegers, roundHalfEven, sum32, sum64 } from './numerics';
import { resizeLanczos } from './resample';

export const WORKING_SIZE = 512;
export const NOISE_FLOOR = 0.1;
export const FIT_SIZE = 20;
export const FIELD_SIZE = 28;
export const MNIST_CENTRE = 14.0;

const f32 = Math.fround;
const NOISE_FLOOR_32 = f32(NOISE_FLOOR); // NumPy compares a float32 array with a Python float in float32
const BYTE_TO_FLOAT32 = Float32Array.from({ length: 256 }, (_, v) => v / 255); // `uint8 array.astype(float32) / 255.0`

/** Nothing (or next to nothing) is drawn: the server's `EmptyCanvas` (code `empty_canvas`). */
export class EmptyCanvasError extends Error {
  readonly code = 'empty_canvas';
  constructor(message = 'Nothing is drawn: draw a digit first.') {
    super(message);
    this.name = 'EmptyCanvasError';
  }
}

/** A picture larger than the device path handles (the server would shrink it first). */
export class PictureTooLargeError extends Error {
  constructor(width: number, height: number) {
    super(
      `The picture is ${width}x${height} pixels; on the device at most ${WORKING_SIZE} on a side (a canvas export).`,
    );
    this.name = 'PictureTooLargeError';
  }
}

export interface Prepared {
  /** 784 values, row-major 28x28, in [0, 1]: the model's input. */
  field: Float32Array;
  /** The ink box's longer side as a share of the picture's longer side (a dot is tiny). */
  extent: number;
  /** The ink box's width / height (several digits side by side are wide). */
  aspect: number;
}

function checkPixels(rgba: ArrayLike<number>, width: number, height: number): void {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`A picture needs a positive whole size, not ${width}x${height}.`);
  }
  if (rgba.length !== width * height * 4) {
    throw new RangeError(`${width}x${height} RGBA pixels are ${width * height * 4} bytes, not ${rgba.length}.`);
  }
  if (Math.max(width, height) > WORKING_SIZE) throw new PictureTooLargeError(width, height);
}

/** One channel of Pillow's `alpha_composite` over opaque white (AlphaComposite.c: integers, 7 bits of precision). */
function overWhite(channel: number, alpha: number): number {
  if (alpha === 0) return 255;
  // With the destination (255, 255, 255, 255): outa255 = 255 * 255, coef1 = alpha * 128, coef2 = (255 - alpha) * 128.
  const t = channel * alpha * 128 + 255 * (255 - alpha) * 128 + (0x80 << 7);
  return (((t >> 8) + t) >> 8) >> 7;
}

/** A pixel composited over white, then Pillow's `convert("L")` (ITU-R 601-2 luma, in integers). */
function grayOverWhite(r: number, g: number, b: number, a: number): number {
  return (overWhite(r, a) * 19595 + overWhite(g, a) * 38470 + overWhite(b, a) * 7471 + 0x8000) >> 16;
}

/** `_drop_background`, in place: subtract the border's median ink (paper tone), zero what is under NOISE_FLOOR. */
function dropBackground(ink: Float32Array, width: number, height: number): Float32Array {
  const background = median32(border(ink, width, height, new Float32Array(borderLength(width, height))));
  if (background > 0) {
    const scale = f32(1 - background);
    for (let i = 0; i < ink.length; i++) ink[i] = Math.min(1, Math.max(0, f32(f32(ink[i]! - background) / scale)));
  }
  for (let i = 0; i < ink.length; i++) if (!(ink[i]! >= NOISE_FLOOR_32)) ink[i] = 0;
  return ink;
}

/**
 * `ink_map` of a decoded picture: float32 ink strength in [0, 1] (row-major `height` x `width`), ink bright,
 * background 0. A transparent background (the canvas's export) makes alpha the ink; otherwise the border's median
 * tells the paper: light paper means dark ink, which is inverted. Throws PictureTooLargeError over WORKING_SIZE.
 */
export function inkFromRgba(rgba: Uint8ClampedArray | Uint8Array, width: number, height: number): Float32Array {
  checkPixels(rgba, width, height);
  const n = width * height;
  const ink = new Float32Array(n);
  const alpha = new Uint8Array(n);
  for (let i = 0; i < n; i++) alpha[i] = rgba[i * 4 + 3]!;
  if (medianOfIntegers(border(alpha, width, height, new Uint8Array(borderLength(width, height)))) < 128) {
    for (let i = 0; i < n; i++) ink[i] = BYTE_TO_FLOAT32[alpha[i]!]!; // whatever is opaque is ink
    return dropBackground(ink, width, height);
  }
  for (let i = 0; i < n; i++) {
    ink[i] = BYTE_TO_FLOAT32[grayOverWhite(rgba[i * 4]!, rgba[i * 4 + 1]!, rgba[i * 4 + 2]!, alpha[i]!)]!;
  }
  if (median32(border(ink, width, height, new Float32Array(borderLength(width, height)))) > 0.5) {
    for (let i = 0; i < n; i++) ink[i] = 1 - ink[i]!; // dark ink on light paper
  }
  return dropBackground(ink, width, height);
}

/**
 * `normalize_placed` and `prepare`'s ink shape: crop to the ink, the longer side to FIT_SIZE (Pillow's Lanczos),
 * clipped to [0, 1] and scaled to peak at 1, placed in the 28x28 field with its centre of mass at MNIST_CENTRE.
 * Throws EmptyCanvasError when there is (next to) no ink.
 */
export function prepareInk(ink: Float32Array, width: number, height: number): Prepared {
  if (ink.length !== width * height) throw new RangeError(`The ink map is not ${width}x${height}.`);
  if (sum32(ink) < f32(Math.max(4.0, 0.0005 * height * width))) throw new EmptyCanvasError();

  let top = height;
  let bottom = -1;
  let left = width;
  let right = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x] !== 0) {
        if (y < top) top = y;
        bottom = y;
        if (x < left) left = x;
        if (x > right) right = x;
      }
    }
  }
  const cropHeight = bottom - top + 1;
  const cropWidth = right - left + 1;
  const cropped = new Float32Array(cropHeight * cropWidth);
  for (let y = 0; y < cropHeight; y++) {
    cropped.set(ink.subarray((top + y) * width + left, (top + y) * width + right + 1), y * cropWidth);
  }

  const scale = FIT_SIZE / Math.max(cropHeight, cropWidth);
  const fitHeight = Math.max(1, roundHalfEven(cropHeight * scale));
  const fitWidth = Math.max(1, roundHalfEven(cropWidth * scale));
  const fitted = resizeLanczos(cropped, cropWidth, cropHeight, fitWidth, fitHeight);
  let peak = -Infinity;
  for (let i = 0; i < fitted.length; i++) {
    fitted[i] = Math.min(1, Math.max(0, fitted[i]!));
    if (fitted[i]! > peak) peak = fitted[i]!;
  }
  if (peak <= 0) throw new EmptyCanvasError();
  for (let i = 0; i < fitted.length; i++) fitted[i] = fitted[i]! / peak; // MNIST strokes peak at full intensity

  // The centre of mass, summed in NumPy's order: it is rounded, and a .5 must round the same way.
  const total = sum32(fitted);
  const rowMoments = new Float64Array(fitHeight);
  for (let y = 0; y < fitHeight; y++) rowMoments[y] = sum32(fitted, y * fitWidth, fitWidth) * y;
  // sum(axis=0) adds row after row in float32; a single column is summed pairwise, as one line of values.
  const columns = new Float32Array(fitWidth);
  if (fitWidth === 1) columns[0] = sum32(fitted);
  else {
    for (let y = 0; y < fitHeight; y++) {
      for (let x = 0; x < fitWidth; x++) columns[x] = columns[x]! + fitted[y * fitWidth + x]!;
    }
  }
  const columnMoments = Float64Array.from(columns, (sum, x) => sum * x);
  const centreY = sum64(rowMoments) / total;
  const centreX = sum64(columnMoments) / total;
  const row = Math.min(Math.max(roundHalfEven(MNIST_CENTRE - centreY), 0), FIELD_SIZE - fitHeight);
  const column = Math.min(Math.max(roundHalfEven(MNIST_CENTRE - centreX), 0), FIELD_SIZE - fitWidth);

  const field = new Float32Array(FIELD_SIZE * FIELD_SIZE);
  for (let y = 0; y < fitHeight; y++) {
    field.set(fitted.subarray(y * fitWidth, (y + 1) * fitWidth), (row + y) * FIELD_SIZE + column);
  }
  return {
    field,
    extent: Math.max(cropHeight, cropWidth) / Math.max(height, width),
    aspect: cropWidth / cropHeight,
  };
}

/** `prepare()` of a decoded picture: its RGBA pixels -> the field and the ink's shape. */
export function prepareRgba(rgba: Uint8ClampedArray | Uint8Array, width: number, height: number): Prepared {
  return prepareInk(inkFromRgba(rgba, width, height), width, height);
}
