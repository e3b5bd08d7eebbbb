import { describe, expect, it, vi } from 'vitest';
import { exportNumber, exportStrokes } from './exportImage';
import { stubCanvas } from './test/fakeCanvas';

describe('exportStrokes', () => {
  it('renders onto a fixed 280x280 canvas, black ink, 20 px strokes, and returns a PNG data URL', () => {
    const contexts = stubCanvas('data:image/png;base64,EXPORTED');
    const created: HTMLCanvasElement[] = [];
    const create = document.createElement.bind(document);
    vi.spyOn(document, 'createElement').mockImplementation((tag: string) => {
      const el = create(tag);
      if (tag === 'canvas') created.push(el as HTMLCanvasElement);
      return el;
    });

    const url = exportStrokes([
      [
        { x: 0.2, y: 0.2 },
        { x: 0.8, y: 0.2 },
        { x: 0.4, y: 0.9 },
      ],
    ]);

    expect(url).toBe('data:image/png;base64,EXPORTED');
    expect(created).toHaveLength(1);
    expect(created[0]!.width).toBe(280);
    expect(created[0]!.height).toBe(280);
    // eslint-disable-next-line @typescript-eslint/unbound-method -- expect() only inspects the spy, never calls it
    expect(HTMLCanvasElement.prototype.toDataURL).toHaveBeenCalledWith('image/png');
    const { state, calls } = contexts[0]!;
    expect(state.strokeStyle).toBe('#000');
    expect(state.lineWidth).toBe(20);
    expect(calls.find((c) => c.name === 'moveTo')!.args).toEqual([56, 56]);
    // transparent background: nothing is filled behind the ink
    expect(calls.some((c) => c.name === 'fillRect')).toBe(false);
  });
});

describe('exportNumber', () => {
  it('renders the number pad onto a fixed 500x200 canvas, its pen a 14th of the height', () => {
    const contexts = stubCanvas('data:image/png;base64,NUMBER');
    const created: HTMLCanvasElement[] = [];
    const create = document.createElement.bind(document);
    vi.spyOn(document, 'createElement').mockImplementation((tag: string) => {
      const el = create(tag);
      if (tag === 'canvas') created.push(el as HTMLCanvasElement);
      return el;
    });
    expect(
      exportNumber([
        [
          { x: 0.1, y: 0.5 },
          { x: 0.3, y: 0.5 },
        ],
      ]),
    ).toBe('data:image/png;base64,NUMBER');
    expect([created[0]!.width, created[0]!.height]).toEqual([500, 200]);
    const { state, calls } = contexts.at(-1)!;
    expect(state.lineWidth).toBeCloseTo(200 / 14);
    expect(calls.find((c) => c.name === 'moveTo')!.args).toEqual([50, 100]);
  });
});
