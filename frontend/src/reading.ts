/** POST /read-number: a written number read digit by digit, each digit with its box on the picture. */

import {
  ApiError,
  VERDICTS,
  explanationOf,
  isDigit,
  request,
  type Explanation,
  type ReadOptions,
  type Verdict,
} from './api';

/** A box on the picture, in the picture's pixels. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** One digit of the number. */
export interface DigitReading {
  box: Box;
  digit: number;
  /** The calibrated probability of `digit`. */
  confidence: number;
  /** Ten probabilities, for digits 0..9. */
  probabilities: number[];
  verdict: Verdict;
  reason: string;
}

export interface NumberReading {
  /** The digits, left to right, as a string ("2026"). */
  number: string;
  digits: DigitReading[];
  /** The picture's size: the boxes are in its pixels. */
  width: number;
  height: number;
  model: string;
  /** Why: only when asked for (`explain`). */
  explanation?: Explanation;
}

const isNumber = (value: unknown): value is number => typeof value === 'number' && Number.isFinite(value);

function toBox(value: unknown): Box | null {
  const v = value as Partial<Box> | null;
  return v && isNumber(v.x) && isNumber(v.y) && isNumber(v.width) && isNumber(v.height)
    ? { x: v.x, y: v.y, width: v.width, height: v.height }
    : null;
}

function toDigit(value: unknown): DigitReading | null {
  const v = value as Partial<DigitReading> | null;
  const box = toBox(v?.box);
  if (!v || !box || !isDigit(v.digit) || !isNumber(v.confidence)) return null;
  if (!Array.isArray(v.probabilities) || v.probabilities.length !== 10 || !v.probabilities.every(isNumber)) return null;
  const verdict = typeof v.verdict === 'string' && VERDICTS.includes(v.verdict) ? v.verdict : 'digit';
  return {
    box,
    digit: v.digit,
    confidence: v.confidence,
    probabilities: v.probabilities,
    verdict,
    reason: typeof v.reason === 'string' ? v.reason : '',
  };
}

/** The server's answer, checked; ApiError('bad_response') when it is not one. */
export function toNumberReading(body: unknown): NumberReading {
  const v = body as Partial<Record<keyof NumberReading, unknown>> | null;
  const digits = Array.isArray(v?.digits) ? v.digits.map(toDigit) : null;
  if (!v || typeof v.number !== 'string' || !digits || digits.some((d) => d === null)) {
    throw new ApiError('bad_response', 'The server sent an answer the app does not understand.');
  }
  if (!isNumber(v.width) || !isNumber(v.height) || v.width <= 0 || v.height <= 0) {
    throw new ApiError('bad_response', 'The server sent an answer the app does not understand.');
  }
  const reading: NumberReading = {
    number: v.number,
    digits: digits as DigitReading[],
    width: v.width,
    height: v.height,
    model: typeof v.model === 'string' ? v.model : '',
  };
  const why = explanationOf(v.explanation);
  if (why) reading.explanation = why;
  return reading;
}

/** POST /read-number with a PNG data URL; rejects with ApiError (or an AbortError when aborted). */
export async function readNumber(
  image: string,
  signal?: AbortSignal,
  options: ReadOptions = {},
): Promise<NumberReading> {
  const body = await request('/read-number', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(options.explain ? { image, explain: true } : { image }),
    signal,
  });
  return toNumberReading(body);
}

/** POST /read-number with a picture file (an upload or a drop) as multipart/form-data. */
export async function readNumberFile(
  file: Blob,
  signal?: AbortSignal,
  options: ReadOptions = {},
): Promise<NumberReading> {
  const form = new FormData();
  form.append('image', file, file instanceof File ? file.name : 'picture');
  if (options.explain) form.append('explain', 'true');
  return toNumberReading(await request('/read-number', { method: 'POST', body: form, signal }));
}

/** A box as CSS percentages of the picture: where to draw it over the canvas, whatever its size on screen. */
export function boxStyle(box: Box, reading: Pick<NumberReading, 'width' | 'height'>) {
  const percent = (value: number, of: number) => `${(value / of) * 100}%`;
  return {
    left: percent(box.x, reading.width),
    top: percent(box.y, reading.height),
    width: percent(box.width, reading.width),
    height: percent(box.height, reading.height),
  };
}
