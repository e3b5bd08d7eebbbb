// @vitest-environment node
import { border, borderLength, median32, roundHalfEven, sum32, sum64 } from './numerics';

describe('sum32: NumPy float32 sums, in NumPy order', () => {
  const big = 2 ** 24; // float32 stops at whole numbers here: big + 1 rounds back to big

  it('adds fewer than 8 values one after another, rounding each step', () => {
    expect(sum32([big, 1, 1])).toBe(big);
    expect(sum64([big, 1, 1])).toBe(big + 2);
  });

  it('adds 8 to 128 values in 8 interleaved partial sums', () => {
    // np.array([2**24] + [1] * 15, np.float32).sum() == 16777230: the first partial sum loses its 1, the rest
    // keep theirs.
    expect(sum32([big, ...Array<number>(15).fill(1)])).toBe(big + 14);
  });

  it('splits longer runs in two and sums a range', () => {
    const values = Float32Array.from({ length: 1000 }, (_, i) => (i % 7) / 7);
    const whole = sum32(values);
    expect(whole).toBeCloseTo(
      values.reduce((a, b) => a + b),
      3,
    );
    expect(sum32(values, 10, 5)).toBe(Math.fround(sum32(values.subarray(10, 15))));
  });
});

describe('median32', () => {
  it('is the float32 mean of the middle two of an even count', () => {
    const median = median32(Float32Array.of(0.7, 0.1, 0.3, 0.2));
    expect(median).toBe(Math.fround(Math.fround(Math.fround(0.2) + Math.fround(0.3)) / 2));
  });
});

describe('roundHalfEven, as Python rounds', () => {
  it.each([
    [0.5, 0],
    [1.5, 2],
    [2.5, 2],
    [3.5, 4],
    [-2.5, -2],
    [2.4999999999999996, 2],
    [-0.7, -1],
  ])('round(%s) == %s', (x, expected) => {
    expect(roundHalfEven(x)).toBe(expected);
  });
});

describe('border', () => {
  it('is the first row, the last row, then the first and last columns between them', () => {
    const grid = Uint8Array.from({ length: 12 }, (_, i) => i); // 3 rows of 4
    const ring = border(grid, 4, 3, new Uint8Array(borderLength(4, 3)));
    expect([...ring]).toEqual([0, 1, 2, 3, 8, 9, 10, 11, 4, 7]);
  });

  it('repeats a single row, as NumPy concatenates it', () => {
    expect(borderLength(5, 1)).toBe(10);
    expect([...border(Uint8Array.of(1, 2, 3, 4, 5), 5, 1, new Uint8Array(10))]).toEqual([1, 2, 3, 4, 5, 1, 2, 3, 4, 5]);
  });
});
