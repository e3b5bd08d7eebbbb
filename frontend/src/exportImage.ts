import { EXPORT_SIZE, NUMBER_EXPORT, renderStrokes, type Stroke } from './strokes';

/**
 * Render the strokes onto an offscreen EXPORT_SIZE x EXPORT_SIZE canvas (black ink on a
 * transparent background) and return it as a PNG data URL: the same picture whatever the
 * size or pixel density of the canvas on screen.
 */
export function exportStrokes(strokes: readonly Stroke[], doc: Document = document): string {
  const canvas = doc.createElement('canvas');
  canvas.width = EXPORT_SIZE;
  canvas.height = EXPORT_SIZE;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('This browser cannot draw on a canvas.');
  renderStrokes(ctx, strokes, EXPORT_SIZE, '#000');
  return canvas.toDataURL('image/png');
}

/** The number pad's strokes as the PNG data URL sent to `/read-number`: NUMBER_EXPORT's size, black on transparent. */
export function exportNumber(strokes: readonly Stroke[], doc: Document = document): string {
  const canvas = doc.createElement('canvas');
  canvas.width = NUMBER_EXPORT.width;
  canvas.height = NUMBER_EXPORT.height;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new Error('This browser cannot draw on a canvas.');
  renderStrokes(ctx, strokes, NUMBER_EXPORT.width, '#000', NUMBER_EXPORT.height);
  return canvas.toDataURL('image/png');
}
