// @vitest-environment node
import { expectedField, loadGolden } from '../test/golden';
import type { Prepared } from './preprocess';
import { answer, applyTemperature, calibrate, certainty, judge, MIN_EXTENT } from './verdict';

const golden = loadGolden();
const THRESHOLDS = { not_a_digit: 0.5, unsure: 0.7 };
const shape = (extent = 0.6, aspect = 0.8): Prepared => ({ field: new Float32Array(784), extent, aspect });
/** Ten raw probabilities, `top` at `p` and the rest shared out (not summing to exactly 1, like a float32 softmax). */
const raw = (top: number, p: number, second?: number, q = 0) =>
  Array.from({ length: 10 }, (_, d) => (d === top ? p : d === second ? q : (1 - p - q) / 8) * 1.0000003);

describe('answer against the server (golden fixtures)', () => {
  it('covers every verdict, by the shipped card or by the other thresholds', () => {
    const verdicts = golden.fixtures.flatMap((f) => [f.verdict, f.by_other_thresholds.verdict]);
    expect(new Set(verdicts)).toEqual(new Set(['digit', 'unsure', 'not_a_digit']));
    expect(new Set(golden.fixtures.map((f) => f.by_other_thresholds.verdict)).size).toBe(3);
  });

  it.each(golden.fixtures.map((f) => [f.png, f] as const))('%s: the same answer from the raw output', (_, fixture) => {
    const prepared = { field: expectedField(fixture), extent: fixture.extent, aspect: fixture.aspect };
    const said = answer(fixture.raw, prepared, golden.card);
    const gap = Math.max(...said.probabilities.map((p, d) => Math.abs(p - fixture.probabilities[d]!)));
    expect(gap).toBeLessThan(1e-6);
    expect(said.confidence).toBeCloseTo(fixture.confidence, 6);
    expect(said.digit).toBe(fixture.digit);
    expect(said.verdict).toBe(fixture.verdict);
    expect(said.reason).toBe(fixture.reason);
    expect(said.alternatives).toEqual(fixture.alternatives);
    const other = { ...golden.card, thresholds: golden.other_thresholds };
    expect(answer(fixture.raw, prepared, other)).toMatchObject(fixture.by_other_thresholds);
  });
});

describe('calibration', () => {
  it('brings the output to a sum of 1 and keeps the ranking', () => {
    const calibrated = calibrate(raw(3, 0.6, 5, 0.3), 0.9);
    expect(calibrated.reduce((a, b) => a + b)).toBeCloseTo(1, 12);
    expect(calibrated.indexOf(Math.max(...calibrated))).toBe(3);
  });

  it('sharpens below a temperature of 1 and softens above it', () => {
    const p = calibrate(raw(3, 0.6, 5, 0.3));
    expect(applyTemperature(p, 0.5)[3]).toBeGreaterThan(p[3]!);
    expect(applyTemperature(p, 2)[3]).toBeLessThan(p[3]!);
  });

  it('takes a missing temperature as 1', () => {
    expect(calibrate(raw(1, 0.9), null)).toEqual(calibrate(raw(1, 0.9), 1));
  });
});

describe('the verdict', () => {
  it('is a digit when the calibrated top probability reaches the unsure threshold', () => {
    expect(answer(raw(7, 0.95), shape(), { thresholds: THRESHOLDS })).toMatchObject({
      digit: 7,
      verdict: 'digit',
      reason: 'Looks like a 7.',
      alternatives: [7, expect.any(Number)],
    });
  });

  it('names the two candidates when unsure', () => {
    expect(answer(raw(4, 0.6, 9, 0.35), shape(), { thresholds: THRESHOLDS })).toMatchObject({
      digit: 4,
      verdict: 'unsure',
      reason: 'It could be a 4 or a 9.',
      alternatives: [4, 9],
    });
  });

  it('is not a digit below the lower threshold', () => {
    const said = answer(raw(2, 0.3, 8, 0.25), shape(), { thresholds: THRESHOLDS });
    expect(said).toMatchObject({ verdict: 'not_a_digit', reason: 'This does not look like a digit.' });
  });

  it('calls a dot too small whatever the model says', () => {
    const said = answer(raw(1, 0.99), shape(MIN_EXTENT / 2, 1), { thresholds: THRESHOLDS });
    expect(said).toMatchObject({
      digit: 1,
      verdict: 'not_a_digit',
      reason: 'The drawing is too small to be a digit: draw it bigger.',
    });
  });

  it('hints at several digits when the ink is wide and the model is not sure', () => {
    const wide = shape(0.9, 3.2);
    expect(answer(raw(2, 0.3, 8, 0.25), wide, { thresholds: THRESHOLDS }).reason).toBe(
      'This does not look like a digit. Several digits? Draw one at a time.',
    );
    expect(answer(raw(4, 0.6, 9, 0.35), wide, { thresholds: THRESHOLDS }).reason).toBe(
      'It could be a 4 or a 9. Several digits? Draw one at a time.',
    );
    expect(answer(raw(1, 0.97), wide, { thresholds: THRESHOLDS }).reason).toBe('Looks like a 1.');
  });

  it('applies each threshold to the score the card names', () => {
    const byCertainty = {
      ...THRESHOLDS,
      scores: { not_a_digit: 'certainty', unsure: 'top_probability' },
    } as const;
    // Top probability 0.55 passes "not a digit" on the top probability, but the rest spread thin is uncertain.
    const spread = raw(6, 0.55);
    expect(certainty(calibrate(spread))).toBeLessThan(0.5);
    expect(answer(spread, shape(), { thresholds: THRESHOLDS }).verdict).toBe('unsure');
    expect(answer(spread, shape(), { thresholds: byCertainty }).verdict).toBe('not_a_digit');
    // Two rivals and nothing else: certain it is one of them, unsure which.
    expect(answer(raw(4, 0.6, 9, 0.4 - 1e-9), shape(), { thresholds: byCertainty }).verdict).toBe('unsure');
  });

  it('measures certainty from 1 (one sure answer) to 0 (ten equal ones)', () => {
    expect(certainty([1, 0, 0, 0, 0, 0, 0, 0, 0, 0])).toBeCloseTo(1, 9);
    expect(certainty(Array<number>(10).fill(0.1))).toBeCloseTo(0, 12);
    expect(() =>
      judge([1, 0, 0, 0, 0, 0, 0, 0, 0, 0], {
        ...THRESHOLDS,
        scores: { not_a_digit: 'entropy' as 'certainty', unsure: 'certainty' },
      }),
    ).toThrow('unknown score');
  });

  it('always answers "digit" for a model without thresholds', () => {
    expect(answer(raw(2, 0.2, 8, 0.19), shape(), { temperature: 1, thresholds: null }).verdict).toBe('digit');
    expect(judge([0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1], undefined).verdict).toBe('digit');
  });
});
