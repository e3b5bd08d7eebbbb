import { useCallback, useMemo, useRef, useState } from 'react';
import {
  allStrokes,
  beginStroke,
  clear,
  emptyDrawing,
  endStroke,
  extendStroke,
  undo,
  type Drawing,
  type Point,
  type Stroke,
} from './strokes';

/**
 * React state around the pure stroke functions. The latest drawing is also kept in a ref,
 * so event handlers (and the predictor) read it synchronously, without waiting for a render.
 */
export function useDrawing(initial: Drawing = emptyDrawing) {
  const [drawing, setDrawing] = useState(initial);
  const ref = useRef(initial);

  const update = useCallback((change: (drawing: Drawing) => Drawing): Drawing => {
    const next = change(ref.current);
    if (next !== ref.current) {
      ref.current = next;
      setDrawing(next);
    }
    return next;
  }, []);

  const getStrokes = useCallback((): Stroke[] => allStrokes(ref.current), []);

  return useMemo(
    () => ({
      drawing,
      getStrokes,
      begin: (point: Point) => update((d) => beginStroke(d, point)),
      extend: (points: readonly Point[]) => update((d) => extendStroke(d, points)),
      end: () => update(endStroke),
      undo: () => update(undo),
      clear: () => update(clear),
    }),
    [drawing, getStrokes, update],
  );
}
