/**
 * NumPy's and Python's arithmetic, step for step, where the server's preprocessing depends on it: float32 sums in
 * NumPy's pairwise order, NumPy's median, Python's round(). The port must round where NumPy rounds, or a centre of
 * mass that lands on .5 moves the digit by a pixel.
 */

const f32 = Math.fround;

/**
 * NumPy's pairwise summation (`pairwise_sum` in its loops): fewer than 8 values in a row; up to 128 in 8 interleaved
 * partial sums, added pairwise, then the remainder; more split in two (at a multiple of 8) and summed each. Every step
 * rounded to float32, as NumPy does for a float32 array. Written out once per precision: it is the preprocessing's
 * hottest loop.
 */
function pairwise32(values: ArrayLike<number>, start: number, n: number): number {
  if (n < 8) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum = f32(sum + values[start + i]!);
    return sum;
  }
  if (n <= 128) {
    let r0 = values[start]!;
    let r1 = values[start + 1]!;
    let r2 = values[start + 2]!;
    let r3 = values[start + 3]!;
    let r4 = values[start + 4]!;
    let r5 = values[start + 5]!;
    let r6 = values[start + 6]!;
    let r7 = values[start + 7]!;
    const blocks = n - (n % 8);
    let i = 8;
    for (; i < blocks; i += 8) {
      const at = start + i;
      r0 = f32(r0 + values[at]!);
      r1 = f32(r1 + values[at + 1]!);
      r2 = f32(r2 + values[at + 2]!);
      r3 = f32(r3 + values[at + 3]!);
      r4 = f32(r4 + values[at + 4]!);
      r5 = f32(r5 + values[at + 5]!);
      r6 = f32(r6 + values[at + 6]!);
      r7 = f32(r7 + values[at + 7]!);
    }
    let sum = f32(f32(f32(r0 + r1) + f32(r2 + r3)) + f32(f32(r4 + r5) + f32(r6 + r7)));
    for (; i < n; i++) sum = f32(sum + values[start + i]!);
    return sum;
  }
  let half = Math.floor(n / 2);
  half -= half % 8;
  return f32(pairwise32(values, start, half) + pairwise32(values, start + half, n - half));
}

/** `pairwise32` for float64 values: the same order, no rounding but the double's own. */
function pairwise64(values: ArrayLike<number>, start: number, n: number): number {
  if (n < 8) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += values[start + i]!;
    return sum;
  }
  if (n <= 128) {
    const r = [0, 1, 2, 3, 4, 5, 6, 7].map((j) => values[start + j]!);
    const blocks = n - (n % 8);
    let i = 8;
    for (; i < blocks; i += 8) for (let j = 0; j < 8; j++) r[j] = r[j]! + values[start + i + j]!;
    let sum = r[0]! + r[1]! + (r[2]! + r[3]!) + (r[4]! + r[5]! + (r[6]! + r[7]!));
    for (; i < n; i++) sum += values[start + i]!;
    return sum;
  }
  let half = Math.floor(n / 2);
  half -= half % 8;
  return pairwise64(values, start, half) + pairwise64(values, start + half, n - half);
}

/** `array[start:start + n].sum()` of a float32 array, rounded to float32 at every step as NumPy does. */
export function sum32(values: ArrayLike<number>, start = 0, n = values.length - start): number {
  return pairwise32(values, start, n);
}

/** `array.sum()` of a float64 array, in NumPy's order. */
export function sum64(values: ArrayLike<number>): number {
  return pairwise64(values, 0, values.length);
}

/** `np.median` of float32 values: the middle one, or the float32 mean of the middle two. */
export function median32(values: Float32Array): number {
  const sorted = values.slice().sort();
  const middle = sorted.length >> 1;
  if (sorted.length % 2) return sorted[middle]!;
  return f32(f32(sorted[middle - 1]! + sorted[middle]!) / 2);
}

/** `np.median` of integers (uint8): the middle one, or the mean of the middle two, as a float64. */
export function medianOfIntegers(values: Uint8Array): number {
  const sorted = values.slice().sort();
  const middle = sorted.length >> 1;
  if (sorted.length % 2) return sorted[middle]!;
  return (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Python's round() (and NumPy's): to the nearest integer, halves to the even one. */
export function roundHalfEven(x: number): number {
  const floor = Math.floor(x);
  const fraction = x - floor; // exact for doubles
  if (fraction < 0.5) return floor;
  if (fraction > 0.5) return floor + 1;
  return floor % 2 === 0 ? floor : floor + 1;
}

/** The outermost ring of a row-major (height, width) array, as NumPy's `_border` concatenates it (duplicates kept). */
export function border<T extends Float32Array | Uint8Array>(values: T, width: number, height: number, into: T): T {
  let k = 0;
  const last = (height - 1) * width;
  for (let x = 0; x < width; x++) into[k++] = values[x]!;
  for (let x = 0; x < width; x++) into[k++] = values[last + x]!;
  for (let y = 1; y < height - 1; y++) into[k++] = values[y * width]!;
  for (let y = 1; y < height - 1; y++) into[k++] = values[y * width + width - 1]!;
  return into;
}

/** How many values `border` gives for a (height, width) array. */
export const borderLength = (width: number, height: number) => 2 * width + 2 * Math.max(0, height - 2);
