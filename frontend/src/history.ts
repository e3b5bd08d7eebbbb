/**
 * The drawing with its undo/redo history, so that nothing is lost by accident: every finished stroke and every
 * clear is a step that can be undone, and every undone step can be redone until something new is drawn.
 * Pure functions over immutable snapshots (strokes are shared between snapshots, never copied).
 */
import {
  beginStroke,
  clear as clearDrawing,
  emptyDrawing,
  endStroke,
  extendStroke,
  isEmpty,
  undo as undoDrawing,
  type Drawing,
  type Point,
} from './strokes';

export interface History {
  /** The drawing on screen. */
  readonly present: Drawing;
  /** Earlier drawings, oldest first: what undo goes back to. */
  readonly past: readonly Drawing[];
  /** Undone drawings, the next one to redo last. */
  readonly future: readonly Drawing[];
}

/** A cap on the undo steps kept (a long session of scribbles stays small). */
export const MAX_HISTORY = 100;

export const historyOf = (present: Drawing = emptyDrawing): History => ({ present, past: [], future: [] });

const remember = (past: readonly Drawing[], drawing: Drawing): readonly Drawing[] =>
  past.length >= MAX_HISTORY ? [...past.slice(past.length - MAX_HISTORY + 1), drawing] : [...past, drawing];

/** Start a stroke. Drawing something new drops the redo steps, as in every editor. */
export function begin(history: History, point: Point): History {
  const start = history.present.current ? endStroke(history.present) : history.present;
  return { present: beginStroke(start, point), past: remember(history.past, start), future: [] };
}

/** Add points to the stroke in progress (no new history step). */
export function extend(history: History, points: readonly Point[]): History {
  const present = extendStroke(history.present, points);
  return present === history.present ? history : { ...history, present };
}

/** Finish the stroke in progress; the step was recorded when it began. */
export function end(history: History): History {
  const present = endStroke(history.present);
  return present === history.present ? history : { ...history, present };
}

/** Clear the canvas, as an undoable step (a no-op when it is already empty). */
export function clear(history: History): History {
  const drawing = history.present.current ? endStroke(history.present) : history.present;
  if (isEmpty(drawing)) return history.present === drawing ? history : { ...history, present: drawing };
  return { present: clearDrawing(drawing), past: remember(history.past, drawing), future: [] };
}

/**
 * Go back one step: drop the stroke in progress, else return to the drawing before the last stroke or clear.
 * A drawing given at the start, with no recorded steps, loses its last stroke (and that step can be redone).
 */
export function undo(history: History): History {
  const { present, past, future } = history;
  if (present.current) {
    // A stroke in progress has its start recorded in `past`: going back to it drops that stroke.
    const previous = past[past.length - 1];
    return previous
      ? { present: previous, past: past.slice(0, -1), future }
      : { present: undoDrawing(present), past, future };
  }
  const previous = past[past.length - 1];
  if (previous) return { present: previous, past: past.slice(0, -1), future: [...future, present] };
  if (isEmpty(present)) return history;
  return { present: undoDrawing(present), past, future: [...future, present] };
}

/** Redo the last undone step (nothing while a stroke is being drawn). */
export function redo(history: History): History {
  const { present, past, future } = history;
  const next = future[future.length - 1];
  if (!next || present.current) return history;
  return { present: next, past: remember(past, present), future: future.slice(0, -1) };
}

export const canUndo = (history: History): boolean => history.past.length > 0 || !isEmpty(history.present);

export const canRedo = (history: History): boolean => history.future.length > 0 && !history.present.current;
