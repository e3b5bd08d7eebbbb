/**
 * Pictures in and out of the worker: a PNG (data URL or Blob) decoded to its RGBA pixels exactly as they are stored
 * (no colour management, no premultiplication), and the 28x28 field the model saw encoded as a PNG data URL, as the
 * server's `input` is.
 */
import type { ImageInput, Pixels } from './protocol';

/** `data:image/png;base64,...` -> a Blob of its bytes (fetch() of a data URL would need CSP's connect-src data:). */
export function dataUrlToBlob(url: string): Blob {
  const comma = url.indexOf(',');
  const header = url.slice(0, comma);
  if (comma < 0 || !header.startsWith('data:') || !header.endsWith(';base64')) {
    throw new TypeError('Not a base64 data URL.');
  }
  const binary = atob(url.slice(comma + 1));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new Blob([bytes], { type: header.slice(5, -7) || 'application/octet-stream' });
}

const isPixels = (image: ImageInput): image is Pixels => typeof image === 'object' && 'rgba' in image;

/** The picture's RGBA pixels (EXIF orientation applied, as the server does). */
export async function decodePixels(image: ImageInput): Promise<Pixels> {
  if (isPixels(image)) return image;
  const blob = typeof image === 'string' ? dataUrlToBlob(image) : image;
  const bitmap = await createImageBitmap(blob, {
    premultiplyAlpha: 'none',
    colorSpaceConversion: 'none',
    imageOrientation: 'from-image',
  });
  try {
    const { width, height } = bitmap;
    const context = new OffscreenCanvas(width, height).getContext('2d', { willReadFrequently: true });
    if (!context) throw new Error('This browser cannot read pictures in a worker.');
    context.drawImage(bitmap, 0, 0);
    return { rgba: context.getImageData(0, 0, width, height).data, width, height };
  } finally {
    bitmap.close();
  }
}

/** A 28x28 field in [0, 1] -> a grayscale PNG data URL (ink white on black: what the model saw). */
export async function fieldToPng(field: ArrayLike<number>, side = 28): Promise<string> {
  const image = new ImageData(side, side);
  for (let i = 0; i < side * side; i++) {
    const v = Math.round(Math.min(1, Math.max(0, field[i] ?? 0)) * 255);
    image.data.set([v, v, v, 255], i * 4);
  }
  const canvas = new OffscreenCanvas(side, side);
  canvas.getContext('2d')?.putImageData(image, 0, 0);
  const bytes = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer());
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `data:image/png;base64,${btoa(binary)}`;
}
