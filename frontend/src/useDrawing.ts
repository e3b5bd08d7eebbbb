import { useCallback, useMemo, useRef, useState } from 'react';
import { begin, canRedo, canUndo, clear, end, extend, historyOf, redo, undo, type History } from './history';
import { allStrokes, type Drawing, type Point, type Stroke } from './strokes';

/**
 * React state around the pure drawing history (`history.ts`). The latest history is also kept in a ref,
 * so event handlers (and the predictor) read it synchronously, without waiting for a render.
 */
export function useDrawing(initial?: Drawing) {
  const [history, setHistory] = useState<History>(() => historyOf(initial));
  const ref = useRef(history);

  const update = useCallback((change: (history: History) => History): Drawing => {
    const next = change(ref.current);
    if (next !== ref.current) {
      ref.current = next;
      setHistory(next);
    }
    return next.present;
  }, []);

  const getStrokes = useCallback((): Stroke[] => allStrokes(ref.current.present), []);

  return useMemo(
    () => ({
      drawing: history.present,
      canUndo: canUndo(history),
      canRedo: canRedo(history),
      getStrokes,
      begin: (point: Point) => update((h) => begin(h, point)),
      extend: (points: readonly Point[]) => update((h) => extend(h, points)),
      end: () => update(end),
      undo: () => update(undo),
      redo: () => update(redo),
      clear: () => update(clear),
    }),
    [history, getStrokes, update],
  );
}
