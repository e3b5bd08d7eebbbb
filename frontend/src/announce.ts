import { candidatesOf, verdictOf, type Prediction } from './api';

/** Below this confidence a "digit" answer comes with a gentle hint (the other verdicts say it themselves). */
export const LOW_CONFIDENCE = 0.6;

/**
 * What a screen reader says about an answer, once per finished stroke: "7, 98 percent", "Not sure: 4 or 9?" or
 * "Not a digit? <reason>". Whole percents: "98.8%" is noise when heard.
 */
export function announcementFor(result: Prediction): string {
  const verdict = verdictOf(result);
  if (verdict === 'not_a_digit') {
    return `Not a digit? ${result.reason ?? 'This does not look like a digit from 0 to 9.'}`;
  }
  if (verdict === 'unsure') {
    const [first, second] = candidatesOf(result);
    return `Not sure: ${first} or ${second}?`;
  }
  const percent = Math.round(Math.min(1, Math.max(0, result.confidence)) * 100);
  const base = `${result.digit}, ${percent} percent`;
  return result.confidence < LOW_CONFIDENCE ? `${base}. Not quite sure.` : base;
}
