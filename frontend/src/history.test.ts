import { describe, expect, it } from 'vitest';
import {
  MAX_HISTORY,
  begin,
  canRedo,
  canUndo,
  clear,
  end,
  extend,
  historyOf,
  redo,
  undo,
  type History,
} from './history';
import { isEmpty, type Drawing } from './strokes';

const p = (x: number, y: number) => ({ x, y });

/** Draw one finished stroke from (x, 0.1) to (x, 0.9). */
const stroke = (history: History, x: number): History => end(extend(begin(history, p(x, 0.1)), [p(x, 0.9)]));

const xs = (drawing: Drawing) => drawing.strokes.map((s) => s[0]!.x);

describe('drawing history', () => {
  it('records each finished stroke as one undoable step', () => {
    let h = historyOf();
    expect(canUndo(h)).toBe(false);
    h = stroke(stroke(h, 0.2), 0.4);
    expect(xs(h.present)).toEqual([0.2, 0.4]);
    expect(canUndo(h)).toBe(true);
    h = undo(h);
    expect(xs(h.present)).toEqual([0.2]);
    h = undo(h);
    expect(isEmpty(h.present)).toBe(true);
    expect(canUndo(h)).toBe(false);
    expect(undo(h)).toBe(h); // nothing left: a no-op
  });

  it('makes clear undoable: undo brings the cleared drawing back, redo clears it again', () => {
    let h = stroke(stroke(historyOf(), 0.2), 0.4);
    const drawn = h.present;
    h = clear(h);
    expect(isEmpty(h.present)).toBe(true);
    expect(canUndo(h)).toBe(true);
    h = undo(h);
    expect(h.present).toBe(drawn);
    expect(canRedo(h)).toBe(true);
    h = redo(h);
    expect(isEmpty(h.present)).toBe(true);
    h = undo(h);
    expect(h.present).toBe(drawn);
  });

  it('redoes undone strokes in order, until something new is drawn', () => {
    let h = stroke(stroke(stroke(historyOf(), 0.1), 0.2), 0.3);
    h = undo(undo(h));
    expect(xs(h.present)).toEqual([0.1]);
    h = redo(h);
    expect(xs(h.present)).toEqual([0.1, 0.2]);
    h = redo(h);
    expect(xs(h.present)).toEqual([0.1, 0.2, 0.3]);
    expect(canRedo(h)).toBe(false);
    expect(redo(h)).toBe(h);

    h = undo(h);
    expect(canRedo(h)).toBe(true);
    h = stroke(h, 0.9); // a new stroke drops the redo steps
    expect(canRedo(h)).toBe(false);
    expect(xs(h.present)).toEqual([0.1, 0.2, 0.9]);
  });

  it('clearing an empty canvas adds no step', () => {
    const h = historyOf();
    expect(clear(h)).toBe(h);
  });

  it('undo while drawing drops the stroke in progress, which cannot be redone', () => {
    let h = stroke(historyOf(), 0.2);
    h = extend(begin(h, p(0.5, 0.1)), [p(0.5, 0.5)]);
    expect(h.present.current).not.toBeNull();
    expect(canRedo(h)).toBe(false);
    h = undo(h);
    expect(h.present.current).toBeNull();
    expect(xs(h.present)).toEqual([0.2]);
    expect(canRedo(h)).toBe(false);
    expect(end(h)).toBe(h); // the pointer's late release changes nothing
    expect(extend(h, [p(0.6, 0.6)])).toBe(h);
  });

  it('does not redo in the middle of a stroke', () => {
    let h = undo(stroke(stroke(historyOf(), 0.2), 0.4));
    h = begin(h, p(0.7, 0.7));
    expect(canRedo(h)).toBe(false);
    expect(redo(h)).toBe(h);
  });

  it('undoes a drawing given at the start stroke by stroke, and can redo it', () => {
    const start = stroke(stroke(historyOf(), 0.2), 0.4).present;
    let h = historyOf(start);
    expect(canUndo(h)).toBe(true);
    h = undo(h);
    expect(xs(h.present)).toEqual([0.2]);
    h = redo(h);
    expect(h.present).toBe(start);
  });

  it(`keeps at most ${MAX_HISTORY} undo steps`, () => {
    let h = historyOf();
    for (let i = 0; i < MAX_HISTORY + 20; i++) h = stroke(h, (i % 10) / 10);
    expect(h.past).toHaveLength(MAX_HISTORY);
    for (let i = 0; i < MAX_HISTORY; i++) h = undo(h);
    expect(h.present.strokes).toHaveLength(20); // the oldest steps were forgotten, not the drawing
  });
});
