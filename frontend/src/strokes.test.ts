import { describe, expect, it } from 'vitest';
import {
  EXPORT_SIZE,
  STROKE_WIDTH_RATIO,
  allStrokes,
  beginStroke,
  canUndo,
  clear,
  emptyDrawing,
  endStroke,
  extendStroke,
  hasEnoughInk,
  isEmpty,
  MIN_INK_EXTENT,
  NUMBER_ASPECT,
  NUMBER_EXPORT,
  normalizePoint,
  renderStrokes,
  undo,
  type Drawing,
} from './strokes';
import { createFakeContext } from './test/fakeCanvas';

const p = (x: number, y: number) => ({ x, y });

function draw(drawing: Drawing, ...points: [number, number][]): Drawing {
  const [first, ...rest] = points;
  let d = beginStroke(drawing, p(...first!));
  d = extendStroke(
    d,
    rest.map(([x, y]) => p(x, y)),
  );
  return endStroke(d);
}

describe('normalizePoint', () => {
  const rect = { left: 10, top: 20, width: 200, height: 200 };

  it('maps client coordinates into 0..1', () => {
    expect(normalizePoint(110, 70, rect)).toEqual({ x: 0.5, y: 0.25 });
  });

  it('clamps points outside the canvas to its edge', () => {
    expect(normalizePoint(-50, 500, rect)).toEqual({ x: 0, y: 1 });
  });

  it('survives a zero-sized rectangle', () => {
    expect(normalizePoint(5, 5, { left: 0, top: 0, width: 0, height: 0 })).toEqual({ x: 0, y: 0 });
  });
});

describe('strokes', () => {
  it('starts empty', () => {
    expect(isEmpty(emptyDrawing)).toBe(true);
    expect(canUndo(emptyDrawing)).toBe(false);
    expect(allStrokes(emptyDrawing)).toEqual([]);
  });

  it('records a stroke from begin to end', () => {
    let d = beginStroke(emptyDrawing, p(0.1, 0.1));
    expect(d.current).toEqual([p(0.1, 0.1)]);
    expect(isEmpty(d)).toBe(false);
    d = extendStroke(d, [p(0.2, 0.2), p(0.3, 0.3)]);
    expect(allStrokes(d)).toEqual([[p(0.1, 0.1), p(0.2, 0.2), p(0.3, 0.3)]]);
    d = endStroke(d);
    expect(d.current).toBeNull();
    expect(d.strokes).toHaveLength(1);
  });

  it('keeps several strokes per digit, in order', () => {
    let d = draw(emptyDrawing, [0.2, 0.2], [0.8, 0.2]);
    d = draw(d, [0.8, 0.2], [0.4, 0.9]);
    expect(d.strokes).toHaveLength(2);
    expect(d.strokes[1]![0]).toEqual(p(0.8, 0.2));
  });

  it('drops points too close to the previous one', () => {
    let d = beginStroke(emptyDrawing, p(0.5, 0.5));
    const same = extendStroke(d, [p(0.5005, 0.5)]);
    expect(same).toBe(d);
    d = extendStroke(d, [p(0.5005, 0.5), p(0.6, 0.5)]);
    expect(d.current).toEqual([p(0.5, 0.5), p(0.6, 0.5)]);
  });

  it('ignores moves and ends with no stroke in progress', () => {
    expect(extendStroke(emptyDrawing, [p(0.1, 0.1)])).toBe(emptyDrawing);
    expect(endStroke(emptyDrawing)).toBe(emptyDrawing);
  });

  it('keeps a single tap as a one-point stroke (a dot)', () => {
    const d = endStroke(beginStroke(emptyDrawing, p(0.5, 0.5)));
    expect(d.strokes).toEqual([[p(0.5, 0.5)]]);
  });

  it('finishes an unfinished stroke when a new one begins', () => {
    let d = beginStroke(emptyDrawing, p(0.1, 0.1));
    d = extendStroke(d, [p(0.3, 0.3)]);
    d = beginStroke(d, p(0.9, 0.9));
    expect(d.strokes).toHaveLength(1);
    expect(d.current).toEqual([p(0.9, 0.9)]);
  });

  it('does not mutate the previous drawing', () => {
    const before = draw(emptyDrawing, [0.1, 0.1], [0.2, 0.2]);
    const snapshot = JSON.stringify(before);
    draw(before, [0.5, 0.5], [0.6, 0.6]);
    undo(before);
    clear(before);
    expect(JSON.stringify(before)).toBe(snapshot);
  });
});

describe('undo and clear', () => {
  it('undo removes the last stroke, one at a time', () => {
    let d = draw(emptyDrawing, [0.1, 0.1], [0.2, 0.2]);
    d = draw(d, [0.5, 0.5], [0.6, 0.6]);
    d = undo(d);
    expect(d.strokes).toHaveLength(1);
    expect(d.strokes[0]![0]).toEqual(p(0.1, 0.1));
    d = undo(d);
    expect(isEmpty(d)).toBe(true);
    expect(undo(d)).toBe(d);
  });

  it('undo while drawing drops the stroke in progress', () => {
    let d = draw(emptyDrawing, [0.1, 0.1], [0.2, 0.2]);
    d = beginStroke(d, p(0.7, 0.7));
    d = undo(d);
    expect(d.current).toBeNull();
    expect(d.strokes).toHaveLength(1);
    // the rest of that pointer's moves are ignored
    expect(extendStroke(d, [p(0.8, 0.8)])).toBe(d);
  });

  it('clear removes everything', () => {
    let d = draw(emptyDrawing, [0.1, 0.1], [0.2, 0.2]);
    d = beginStroke(d, p(0.3, 0.3));
    d = clear(d);
    expect(isEmpty(d)).toBe(true);
    expect(clear(d)).toBe(d);
  });
});

describe('hasEnoughInk', () => {
  it('is false for nothing and for a pen-down dot, drawn or in progress', () => {
    expect(hasEnoughInk(emptyDrawing)).toBe(false);
    expect(hasEnoughInk([])).toBe(false);
    expect(hasEnoughInk(beginStroke(emptyDrawing, p(0.5, 0.5)))).toBe(false);
    expect(hasEnoughInk(draw(emptyDrawing, [0.5, 0.5]))).toBe(false);
  });

  it('is false for a wiggle smaller than MIN_INK_EXTENT in both directions', () => {
    const d = draw(emptyDrawing, [0.5, 0.5], [0.52, 0.51], [0.53, 0.53], [0.51, 0.52]);
    expect(d.strokes[0]).toHaveLength(4);
    expect(hasEnoughInk(d)).toBe(false);
    expect(hasEnoughInk(allStrokes(d))).toBe(false);
  });

  it('is true once the ink spans MIN_INK_EXTENT of the side, in width or in height', () => {
    expect(MIN_INK_EXTENT).toBe(0.04);
    expect(hasEnoughInk(draw(emptyDrawing, [0.26, 0.5], [0.3, 0.5]))).toBe(true); // exactly 0.04 wide
    expect(hasEnoughInk(draw(emptyDrawing, [0.5, 0.2], [0.5, 0.8]))).toBe(true); // a tall line
    expect(hasEnoughInk(draw(emptyDrawing, [0.5, 0.5], [0.539, 0.539]))).toBe(false); // just short, both ways
  });

  it('counts the stroke in progress', () => {
    let d = beginStroke(emptyDrawing, p(0.2, 0.2));
    expect(hasEnoughInk(d)).toBe(false);
    d = extendStroke(d, [p(0.2, 0.3)]);
    expect(d.current).toHaveLength(2);
    expect(hasEnoughInk(d)).toBe(true);
  });

  it('is true for more than one stroke, even two dots', () => {
    const dot = draw(emptyDrawing, [0.5, 0.5]);
    expect(hasEnoughInk(draw(dot, [0.5, 0.5]))).toBe(true);
    expect(hasEnoughInk(beginStroke(dot, p(0.5, 0.5)))).toBe(true); // the next stroke's pen-down
  });
});

describe('renderStrokes', () => {
  it('draws round strokes 1/14 of the side wide, in canvas pixels', () => {
    const { ctx, calls, state } = createFakeContext();
    const d = draw(emptyDrawing, [0.1, 0.2], [0.5, 0.5], [0.9, 0.8]);
    renderStrokes(ctx, d.strokes, EXPORT_SIZE, '#000');
    expect(state.lineWidth).toBeCloseTo(EXPORT_SIZE * STROKE_WIDTH_RATIO);
    expect(state.lineWidth).toBe(20);
    expect(state.lineCap).toBe('round');
    expect(state.lineJoin).toBe('round');
    expect(state.strokeStyle).toBe('#000');
    const names = calls.filter((c) => !c.name.startsWith('set:')).map((c) => c.name);
    expect(names).toEqual(['beginPath', 'moveTo', 'quadraticCurveTo', 'lineTo', 'stroke']);
    expect(calls.find((c) => c.name === 'moveTo')!.args).toEqual([28, 56]);
    // smoothed: the curve passes through the midpoint of successive points
    expect(calls.find((c) => c.name === 'quadraticCurveTo')!.args).toEqual([140, 140, 196, 182]);
    expect(calls.find((c) => c.name === 'lineTo')!.args[0]).toBeCloseTo(252);
  });

  it('draws a tap as a filled dot of the stroke width', () => {
    const { ctx, calls } = createFakeContext();
    renderStrokes(ctx, [[p(0.5, 0.5)]], 140, '#111');
    const arc = calls.find((c) => c.name === 'arc')!;
    expect(arc.args.slice(0, 3)).toEqual([70, 70, 5]);
    expect(calls.some((c) => c.name === 'fill')).toBe(true);
    expect(calls.some((c) => c.name === 'stroke')).toBe(false);
  });

  it('scales with the canvas size', () => {
    const small = createFakeContext();
    const large = createFakeContext();
    const strokes = draw(emptyDrawing, [0.25, 0.25], [0.75, 0.75]).strokes;
    renderStrokes(small.ctx, strokes, 100, '#000');
    renderStrokes(large.ctx, strokes, 400, '#000');
    expect(large.state.lineWidth).toBeCloseTo((small.state.lineWidth as number) * 4);
    expect(large.calls.find((c) => c.name === 'moveTo')!.args).toEqual([100, 100]);
    expect(small.calls.find((c) => c.name === 'moveTo')!.args).toEqual([25, 25]);
  });

  it('draws on a wide pad: x across its width, y down its height, the pen a 14th of the height', () => {
    const { ctx, calls, state } = createFakeContext();
    const d = draw(emptyDrawing, [0.1, 0.5], [0.9, 0.5]);
    renderStrokes(ctx, d.strokes, NUMBER_EXPORT.width, '#000', NUMBER_EXPORT.height);
    expect(NUMBER_ASPECT).toBe(2.5);
    expect(state.lineWidth).toBeCloseTo(NUMBER_EXPORT.height * STROKE_WIDTH_RATIO);
    expect(calls.find((c) => c.name === 'moveTo')!.args).toEqual([50, 100]);
    expect(calls.find((c) => c.name === 'lineTo')!.args).toEqual([450, 100]);
  });

  it('skips empty strokes', () => {
    const { ctx, calls } = createFakeContext();
    renderStrokes(ctx, [[]], 100, '#000');
    expect(calls.filter((c) => !c.name.startsWith('set:'))).toEqual([]);
  });
});
