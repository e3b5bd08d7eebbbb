/**
 * The drawing as data: strokes of points in normalized coordinates (0..1 on both axes),
 * independent of the canvas' CSS size or device pixel ratio. Every function here is pure,
 * so the undo/clear logic and the rendering can be tested without a real canvas.
 */

export interface Point {
  x: number;
  y: number;
}

export type Stroke = readonly Point[];

export interface Drawing {
  /** Finished strokes, oldest first. */
  readonly strokes: readonly Stroke[];
  /** The stroke being drawn right now, if a pointer is down. */
  readonly current: Stroke | null;
}

/** Stroke width as a fraction of the canvas side: ~2 px at MNIST's 28 px. */
export const STROKE_WIDTH_RATIO = 1 / 14;

/** The size of the picture sent to the API, whatever the size of the canvas on screen. */
export const EXPORT_SIZE = 280;

/** The number pad's picture: wider than tall, room for a few digits side by side (backend: NUMBER_WIDTH, _HEIGHT). */
export const NUMBER_EXPORT = { width: 500, height: 200 } as const;

/** The number pad's width over its height. */
export const NUMBER_ASPECT = NUMBER_EXPORT.width / NUMBER_EXPORT.height;

/** Points closer than this (in normalized units) to the previous one are dropped. */
const MIN_STEP = 0.002;

export const emptyDrawing: Drawing = { strokes: [], current: null };

const clamp01 = (value: number): number => (value < 0 ? 0 : value > 1 ? 1 : value);

/** Client coordinates -> normalized coordinates inside `rect` (clamped to the canvas). */
export function normalizePoint(
  clientX: number,
  clientY: number,
  rect: { left: number; top: number; width: number; height: number },
): Point {
  const x = rect.width > 0 ? (clientX - rect.left) / rect.width : 0;
  const y = rect.height > 0 ? (clientY - rect.top) / rect.height : 0;
  return { x: clamp01(x), y: clamp01(y) };
}

/** Start a new stroke at `point` (a stroke still in progress is kept as finished first). */
export function beginStroke(drawing: Drawing, point: Point): Drawing {
  const strokes =
    drawing.current && drawing.current.length > 0 ? [...drawing.strokes, drawing.current] : drawing.strokes;
  return { strokes, current: [point] };
}

/** Add points to the stroke in progress; a no-op when no stroke is in progress. */
export function extendStroke(drawing: Drawing, points: readonly Point[]): Drawing {
  if (!drawing.current) return drawing;
  const current = [...drawing.current];
  for (const point of points) {
    const last = current[current.length - 1];
    if (last && Math.hypot(point.x - last.x, point.y - last.y) < MIN_STEP) continue;
    current.push(point);
  }
  return current.length === drawing.current.length ? drawing : { strokes: drawing.strokes, current };
}

/** Finish the stroke in progress (a single tap stays as a dot). */
export function endStroke(drawing: Drawing): Drawing {
  if (!drawing.current) return drawing;
  return { strokes: [...drawing.strokes, drawing.current], current: null };
}

/** Remove the most recent stroke: the one in progress if any, else the last finished one. */
export function undo(drawing: Drawing): Drawing {
  if (drawing.current) return { strokes: drawing.strokes, current: null };
  if (drawing.strokes.length === 0) return drawing;
  return { strokes: drawing.strokes.slice(0, -1), current: null };
}

export function clear(drawing: Drawing): Drawing {
  return drawing.strokes.length === 0 && !drawing.current ? drawing : emptyDrawing;
}

/** Every stroke, the one in progress last. */
export function allStrokes(drawing: Drawing): Stroke[] {
  return drawing.current ? [...drawing.strokes, drawing.current] : [...drawing.strokes];
}

export function isEmpty(drawing: Drawing): boolean {
  return drawing.strokes.length === 0 && (!drawing.current || drawing.current.length === 0);
}

export function canUndo(drawing: Drawing): boolean {
  return !isEmpty(drawing);
}

/**
 * The smallest extent, as a fraction of the canvas side, that the ink's bounding box must reach (in width or
 * height) before the drawing is worth a live prediction: about 11 px of a 280 px pad. A pen-down dot is 0.
 */
export const MIN_INK_EXTENT = 0.04;

/**
 * Whether the drawing is more than a touch: at least two strokes, or the points of all strokes (the one in
 * progress included) span at least `MIN_INK_EXTENT` of the side in width or height. Takes a drawing or its
 * strokes (as `allStrokes` returns them).
 */
export function hasEnoughInk(drawing: Drawing | readonly Stroke[]): boolean {
  const strokes = isStrokeList(drawing) ? drawing : allStrokes(drawing);
  const inked = strokes.filter((stroke) => stroke.length > 0);
  if (inked.length > 1) return true;
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const stroke of inked) {
    for (const { x, y } of stroke) {
      if (x < minX) minX = x;
      if (x > maxX) maxX = x;
      if (y < minY) minY = y;
      if (y > maxY) maxY = y;
    }
  }
  // The small epsilon keeps an extent of exactly MIN_INK_EXTENT (0.3 - 0.26 in floating point) on the inside.
  return maxX - minX >= MIN_INK_EXTENT - 1e-9 || maxY - minY >= MIN_INK_EXTENT - 1e-9;
}

const isStrokeList = (value: Drawing | readonly Stroke[]): value is readonly Stroke[] => Array.isArray(value);

/** The subset of CanvasRenderingContext2D that rendering needs (easy to fake in tests). */
export type StrokeContext = Pick<
  CanvasRenderingContext2D,
  | 'beginPath'
  | 'moveTo'
  | 'lineTo'
  | 'quadraticCurveTo'
  | 'arc'
  | 'stroke'
  | 'fill'
  | 'lineCap'
  | 'lineJoin'
  | 'lineWidth'
  | 'strokeStyle'
  | 'fillStyle'
>;

/**
 * Draw `strokes` onto a square of `size` pixels: round caps and joins, width `size / 14`,
 * smoothed with quadratic curves through the midpoints of successive points. With `height`, onto a
 * `size` x `height` rectangle instead (the number pad), the pen's width a 14th of the height.
 */
export function renderStrokes(
  ctx: StrokeContext,
  strokes: readonly Stroke[],
  size: number,
  color: string,
  height: number = size,
): void {
  const width = height * STROKE_WIDTH_RATIO;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  ctx.lineWidth = width;
  ctx.strokeStyle = color;
  ctx.fillStyle = color;
  for (const stroke of strokes) {
    const first = stroke[0];
    if (!first) continue;
    if (stroke.length === 1) {
      ctx.beginPath();
      ctx.arc(first.x * size, first.y * height, width / 2, 0, Math.PI * 2);
      ctx.fill();
      continue;
    }
    ctx.beginPath();
    ctx.moveTo(first.x * size, first.y * height);
    for (let i = 1; i < stroke.length - 1; i++) {
      const p = stroke[i]!;
      const next = stroke[i + 1]!;
      ctx.quadraticCurveTo(p.x * size, p.y * height, ((p.x + next.x) / 2) * size, ((p.y + next.y) / 2) * height);
    }
    const last = stroke[stroke.length - 1]!;
    ctx.lineTo(last.x * size, last.y * height);
    ctx.stroke();
  }
}
