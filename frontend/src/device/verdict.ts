/**
 * What the server does with the model's output (backend/serving/predictor.py, api.py, backend/core/confidence.py), for
 * the on-device reader: the probabilities brought to a sum of 1 and calibrated with the card's temperature, the digit
 * (the likeliest), and the verdict ("digit", "unsure", "not_a_digit") by the card's thresholds, each on the score the
 * card names for it, with the same reasons, word for word.
 */
import type { Prepared } from './preprocess';
import { sum64 } from './numerics';

/** Ink smaller than this share of the picture's longer side is a dot or a tick, not a digit. */
export const MIN_EXTENT = 0.12;
/** Ink this much wider than tall is more likely several digits than one. */
export const WIDE_ASPECT = 1.6;

export type Verdict = 'digit' | 'unsure' | 'not_a_digit';

/** What a verdict threshold applies to: the calibrated top probability, or certainty (1 - entropy / ln 10). */
export type Score = 'top_probability' | 'certainty';

/** The card's `verdict.thresholds`; without `scores` (older cards) both apply to the top probability. */
export interface Thresholds {
  not_a_digit: number;
  unsure: number;
  scores?: { not_a_digit: Score; unsure: Score };
}

/** The model card's calibration: `calibration.temperature` and `verdict.thresholds` (either may be missing). */
export interface Calibration {
  temperature?: number | null;
  thresholds?: Thresholds | null;
}

/** The fields of the server's `/predict` answer that the device computes (the same names and meanings). */
export interface DeviceAnswer {
  digit: number;
  confidence: number;
  probabilities: number[];
  verdict: Verdict;
  reason: string;
  alternatives: number[];
}

/** `apply_temperature`: softmax(log p / T), the ranking kept and the confidence sharpened or softened. */
export function applyTemperature(probabilities: ArrayLike<number>, temperature: number): number[] {
  const logits = Array.from(probabilities, (p) => Math.log(Math.min(Math.max(p, 1e-12), 1)) / temperature);
  const top = Math.max(...logits);
  const scaled = logits.map((logit) => Math.exp(logit - top));
  const total = sum64(scaled);
  return scaled.map((s) => s / total);
}

/** `Predictor.predict`'s calibration of raw model output: to a sum of 1, then the temperature (1 when none). */
export function calibrate(raw: ArrayLike<number>, temperature?: number | null): number[] {
  const probabilities = Float64Array.from(raw);
  const total = sum64(probabilities);
  return applyTemperature(
    probabilities.map((p) => p / total),
    temperature ?? 1,
  );
}

/** `certainty`: 1 - entropy / ln 10 of calibrated probabilities, 1 for one sure answer, 0 for ten equal ones. */
export function certainty(calibrated: readonly number[]): number {
  const terms = calibrated.map((p) => {
    const q = Math.min(Math.max(p, 1e-12), 1);
    return q * Math.log(q);
  });
  return 1 + sum64(terms) / Math.log(calibrated.length);
}

const SCORES: Record<Score, (calibrated: readonly number[]) => number> = {
  top_probability: (calibrated) => Math.max(...calibrated),
  certainty,
};
const OLD_SCORES = { not_a_digit: 'top_probability', unsure: 'top_probability' } as const;

function score(name: Score, calibrated: readonly number[]): number {
  const measure = SCORES[name];
  if (!measure) throw new Error(`The model card's verdict thresholds apply to an unknown score: ${String(name)}.`);
  return measure(calibrated);
}

/** `verdicts`: not a digit, else unsure, else digit, each threshold on its own score. */
function verdictOf(calibrated: readonly number[], thresholds: Thresholds): Verdict {
  const scores = thresholds.scores ?? OLD_SCORES;
  if (score(scores.not_a_digit, calibrated) < thresholds.not_a_digit) return 'not_a_digit';
  if (score(scores.unsure, calibrated) < thresholds.unsure) return 'unsure';
  return 'digit';
}

/**
 * The digits from likeliest to least likely: NumPy's `argsort(p)[::-1]`, which for a tie puts the higher digit
 * first (a tie between float64 probabilities does not happen in practice).
 */
function ranked(probabilities: readonly number[]): number[] {
  return probabilities.map((_, digit) => digit).sort((a, b) => probabilities[b]! - probabilities[a]! || b - a);
}

/** `judge`: the verdict on one drawing and a short reason for a person; `alternatives` are the two likeliest digits. */
export function judge(
  calibrated: readonly number[],
  thresholds: Thresholds | null | undefined,
  extent = 1,
  aspect = 1,
): Pick<DeviceAnswer, 'verdict' | 'reason' | 'alternatives'> {
  const alternatives = ranked(calibrated).slice(0, 2);
  const [first, second] = alternatives;
  if (extent < MIN_EXTENT) {
    return { verdict: 'not_a_digit', reason: 'The drawing is too small to be a digit: draw it bigger.', alternatives };
  }
  // A model without thresholds (trained before they existed) always answers "digit".
  const verdict: Verdict = thresholds ? verdictOf(calibrated, thresholds) : 'digit';
  const several = aspect > WIDE_ASPECT ? ' Several digits? Draw one at a time.' : '';
  if (verdict === 'not_a_digit') return { verdict, reason: 'This does not look like a digit.' + several, alternatives };
  if (verdict === 'unsure') {
    return { verdict, reason: `It could be a ${first} or a ${second}.` + several, alternatives };
  }
  return { verdict, reason: `Looks like a ${first}.`, alternatives };
}

/** The device's answer to a prepared picture from the model's raw output, as the server's `/predict` gives it. */
export function answer(rawProbabilities: ArrayLike<number>, prepared: Prepared, card: Calibration): DeviceAnswer {
  const probabilities = calibrate(rawProbabilities, card.temperature);
  const digit = probabilities.indexOf(Math.max(...probabilities)); // argmax: the first of the likeliest
  return {
    digit,
    confidence: probabilities[digit]!,
    probabilities,
    ...judge(probabilities, card.thresholds, prepared.extent, prepared.aspect),
  };
}
