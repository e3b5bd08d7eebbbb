// @vitest-environment node
import { expectedField, loadGolden, readPicture } from '../test/golden';
import {
  EmptyCanvasError,
  FIELD_SIZE,
  inkFromRgba,
  PictureTooLargeError,
  prepareInk,
  prepareRgba,
  WORKING_SIZE,
} from './preprocess';

const golden = loadGolden();

/** The largest |a - b| over two fields. */
const maxDifference = (a: Float32Array, b: Float32Array) =>
  a.reduce((worst, v, i) => Math.max(worst, Math.abs(v - b[i]!)), 0);

describe('prepareRgba against the server (golden fixtures)', () => {
  it('has at least 300 fixtures of every kind', () => {
    expect(golden.fixtures.length).toBeGreaterThanOrEqual(300);
    const kinds = new Set(golden.fixtures.map((f) => f.kind));
    expect([...kinds].sort()).toEqual(['mnist', 'mnist_stored', 'non_digit', 'number', 'pen', 'scan']);
  });

  it.each(golden.fixtures.map((f) => [f.png, f] as const))('%s: the same field, extent and aspect', (_, fixture) => {
    const { rgba, width, height } = readPicture(fixture);
    const prepared = prepareRgba(rgba, width, height);
    expect(prepared.field).toHaveLength(FIELD_SIZE * FIELD_SIZE);
    // The bound is 0.02 a pixel; the port is exact up to a float32 rounding of a sine (about 6e-8).
    expect(maxDifference(prepared.field, expectedField(fixture))).toBeLessThan(1e-5);
    expect(prepared.extent).toBe(fixture.extent);
    expect(prepared.aspect).toBe(fixture.aspect);
  });
});

/** A width x height RGBA picture, transparent, with `paint(x, y)` -> [r, g, b, a] or null for untouched pixels. */
function picture(width: number, height: number, paint: (x: number, y: number) => number[] | null, base = [0, 0, 0, 0]) {
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) rgba.set(paint(x, y) ?? base, (y * width + x) * 4);
  }
  return rgba;
}

/** A "7" of thick strokes on a 280x280 canvas: true where the ink is. */
const seven = (x: number, y: number) =>
  (y >= 60 && y < 90 && x >= 70 && x < 210) || (x >= 150 && x < 180 && y >= 60 && y < 230 && x > 210 - (y - 60) / 2);

describe('prepareRgba', () => {
  it('refuses an empty canvas with the server message', () => {
    const empty = picture(280, 280, () => null);
    expect(() => prepareRgba(empty, 280, 280)).toThrow(EmptyCanvasError);
    expect(() => prepareRgba(empty, 280, 280)).toThrow('Nothing is drawn: draw a digit first.');
  });

  it('calls ink below the noise floor nothing', () => {
    const faint = picture(280, 280, (x, y) => (seven(x, y) ? [0, 0, 0, 20] : null));
    expect(Math.max(...inkFromRgba(faint, 280, 280))).toBe(0);
    expect(() => prepareRgba(faint, 280, 280)).toThrow(EmptyCanvasError);
  });

  it('fits the ink to 20 pixels, peaking at 1, its centre of mass near the middle', () => {
    const { field } = prepareRgba(
      picture(280, 280, (x, y) => (seven(x, y) ? [0, 0, 0, 255] : null)),
      280,
      280,
    );
    expect(Math.max(...field)).toBe(1);
    expect(Math.min(...field)).toBe(0);
    let mass = 0;
    let rows = 0;
    let columns = 0;
    field.forEach((v, i) => {
      mass += v;
      rows += v * Math.floor(i / 28);
      columns += v * (i % 28);
    });
    expect(rows / mass).toBeCloseTo(14, 0);
    expect(columns / mass).toBeCloseTo(14, 0);
  });

  it('reads dark ink on opaque paper as the same drawing on a transparent canvas', () => {
    const transparent = prepareRgba(
      picture(280, 280, (x, y) => (seven(x, y) ? [0, 0, 0, 255] : null)),
      280,
      280,
    );
    const white = picture(280, 280, (x, y) => (seven(x, y) ? [0, 0, 0, 255] : null), [255, 255, 255, 255]);
    const cream = picture(280, 280, (x, y) => (seven(x, y) ? [20, 20, 60, 255] : null), [236, 228, 206, 255]);
    expect(prepareRgba(white, 280, 280)).toEqual(transparent);
    // The paper's tone is subtracted: the paper reads 0, every stroke pixel the same ink.
    const ink = inkFromRgba(cream, 280, 280);
    const strokes = new Set(ink.filter((_, i) => seven(i % 280, Math.floor(i / 280))));
    expect(ink.filter((_, i) => !seven(i % 280, Math.floor(i / 280))).every((v) => v === 0)).toBe(true);
    expect(strokes.size).toBe(1);
    expect([...strokes][0]).toBeGreaterThan(0.85);
  });

  it('keeps light ink on a dark background as it is (MNIST polarity)', () => {
    const dark = picture(280, 280, (x, y) => (seven(x, y) ? [255, 255, 255, 255] : null), [0, 0, 0, 255]);
    const transparent = prepareRgba(
      picture(280, 280, (x, y) => (seven(x, y) ? [0, 0, 0, 255] : null)),
      280,
      280,
    );
    expect(prepareRgba(dark, 280, 280)).toEqual(transparent);
  });

  it('measures a dot as tiny and wide ink as wide', () => {
    const dot = prepareRgba(
      picture(280, 280, (x, y) => ((x - 140) ** 2 + (y - 100) ** 2 < 100 ? [0, 0, 0, 255] : null)),
      280,
      280,
    );
    expect(dot.extent).toBeLessThan(0.12);
    expect(dot.aspect).toBe(1);
    const pair = picture(280, 280, (x, y) =>
      y >= 110 && y < 170 && ((x >= 20 && x < 110) || (x >= 160 && x < 260)) ? [0, 0, 0, 255] : null,
    );
    const wide = prepareRgba(pair, 280, 280);
    expect(wide.aspect).toBe(240 / 60);
    expect(wide.extent).toBe(240 / 280);
  });

  it('refuses a picture larger than a canvas, and pixels that do not fit the size', () => {
    const side = WORKING_SIZE + 1;
    expect(() => prepareRgba(new Uint8Array(side * 10 * 4), side, 10)).toThrow(PictureTooLargeError);
    expect(() => prepareRgba(new Uint8Array(100), 10, 10)).toThrow(RangeError);
    expect(() => prepareInk(new Float32Array(10), 10, 10)).toThrow(RangeError);
  });
});
