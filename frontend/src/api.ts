/** A small client for the Flask API. URLs are relative, so the UI works from any host. */

/** What the model makes of the drawing: a digit, unsure between two, or not a digit at all. */
export type Verdict = 'digit' | 'unsure' | 'not_a_digit';

export const VERDICTS: readonly Verdict[] = ['digit', 'unsure', 'not_a_digit'];

export interface Prediction {
  digit: number;
  /** The calibrated probability of `digit`. */
  confidence: number;
  /** Ten probabilities, for digits 0..9. */
  probabilities: number[];
  /** The 28x28 picture the model saw, as a PNG data URL. */
  input: string;
  model: string;
  /** Missing from older servers: read it as 'digit' (see `verdictOf`). */
  verdict?: Verdict;
  /** A short sentence for a person, e.g. 'This does not look like a digit.' */
  reason?: string;
  /** The two most likely digits, most likely first. */
  alternatives?: number[];
  /** Why: only when asked for (`explain`). */
  explanation?: Explanation;
  /** Where the answer came from: the server (`/predict`) or the model run in this browser. Set by the app. */
  answeredBy?: AnsweredBy;
}

/** Where an answer came from. */
export type AnsweredBy = 'server' | 'device';

/** Why the model answered as it did (asked for with `explain`): a heatmap to lay over the picture. */
export interface Explanation {
  /** How it was made: "occlusion" (the ink whose removal changes the answer most is the hottest). */
  method: string;
  /** A PNG data URL with the picture's proportions: transparent where nothing mattered, red where most did. */
  heatmap: string;
}

/** Options of a request to read a picture. */
export interface ReadOptions {
  /** Also say why (a heatmap): it costs the server a few milliseconds more. */
  explain?: boolean;
}

/** A valid `explanation` field, or undefined. */
export function explanationOf(value: unknown): Explanation | undefined {
  const v = value as Partial<Explanation> | null;
  return v && typeof v.method === 'string' && typeof v.heatmap === 'string' && v.heatmap.startsWith('data:image/png')
    ? { method: v.method, heatmap: v.heatmap }
    : undefined;
}

/** A prediction's verdict; a missing (older server) or unknown one reads as 'digit'. */
export const verdictOf = (prediction: Pick<Prediction, 'verdict'>): Verdict =>
  prediction.verdict !== undefined && VERDICTS.includes(prediction.verdict) ? prediction.verdict : 'digit';

/** An integer from 0 to 9. */
export const isDigit = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 9;

/**
 * The two digits an unsure answer hesitates between, most likely first: the server's `alternatives` when it
 * sent two different digits, else the two highest probabilities.
 */
export function candidatesOf(prediction: Pick<Prediction, 'alternatives' | 'probabilities'>): [number, number] {
  const sent = (prediction.alternatives ?? []).filter(isDigit);
  if (sent.length >= 2 && sent[0] !== sent[1]) return [sent[0]!, sent[1]!];
  const ranked = prediction.probabilities
    .map((p, digit) => ({ p, digit }))
    .sort((a, b) => b.p - a.p || a.digit - b.digit);
  return [ranked[0]?.digit ?? 0, ranked[1]?.digit ?? 1];
}

/** Accuracy on one slice of the handwriting checks in the model card. */
export interface AccuracyBlock {
  /** null when the slice is empty. */
  accuracy: number | null;
  count: number;
  errors: number;
  most_confused: { true: number; predicted: number; count: number }[];
}

export interface ModelCard {
  version?: string;
  test_accuracy?: number;
  params?: number;
  trained_at?: string;
  /** Accuracy on digits drawn with a pen (by drawing size) and on scanned handwriting. */
  handwriting?: {
    pen_writers: AccuracyBlock;
    pen_writers_by_size: Record<string, AccuracyBlock>;
    scan_writers: AccuracyBlock;
  };
  /** Temperature scaling of the probabilities, and the expected calibration error before and after. */
  calibration?: { temperature: number; ece_before: number; ece_after: number; fitted_on: string };
  /** How the server turns probabilities into a verdict. */
  /** `scores` (since 0.5) names what each threshold applies to; without it both apply to the top probability. */
  verdict?: {
    thresholds: {
      not_a_digit: number;
      unsure: number;
      scores?: { not_a_digit: 'certainty' | 'top_probability'; unsure: 'certainty' | 'top_probability' };
    };
    rule: string;
  };
  [key: string]: unknown;
}

/**
 * An API failure with a stable `code`, the server's `message` (or a technical one; the UI words every failure
 * class itself, see `failure.ts`), the HTTP `status` (0 when there was no answer) and, when the server sent a
 * `Retry-After` header, how long to wait before asking again.
 */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;
  readonly retryAfterMs: number | undefined;

  constructor(code: string, message: string, status = 0, retryAfterMs?: number) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * A `Retry-After` header as milliseconds from `now`: delay-seconds ("5") or an HTTP date. Undefined when the
 * header is missing or unreadable; never negative.
 */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  if (value == null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/[a-z]/i.test(text)) return undefined; // "-1", "1.5": not a delay, not a date
  const date = Date.parse(text);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

export const isAbortError = (error: unknown): boolean =>
  error instanceof DOMException
    ? error.name === 'AbortError'
    : (error as { name?: unknown } | null)?.name === 'AbortError';

/** A JSON request to the API: the parsed body, or an ApiError with the server's code (or an AbortError). */
export async function request(path: string, init: RequestInit = {}): Promise<unknown> {
  let response: Response;
  try {
    response = await fetch(path, { ...init, headers: { Accept: 'application/json', ...init.headers } });
  } catch (error) {
    if (isAbortError(error)) throw error;
    throw new ApiError('network', 'Can’t reach the recognizer. Is the server running?');
  }
  let body: unknown = null;
  try {
    body = await response.json();
  } catch (error) {
    if (isAbortError(error)) throw error;
    body = null;
  }
  if (!response.ok) {
    const detail = (body as { error?: { code?: unknown; message?: unknown } } | null)?.error;
    const code = typeof detail?.code === 'string' ? detail.code : `http_${response.status}`;
    const message =
      typeof detail?.message === 'string'
        ? detail.message
        : `The server answered ${response.status} ${response.statusText}`.trim();
    throw new ApiError(code, message, response.status, parseRetryAfter(response.headers.get('Retry-After')));
  }
  return body;
}

function isPrediction(value: unknown): value is Prediction {
  const v = value as Partial<Prediction> | null;
  return (
    !!v &&
    typeof v.digit === 'number' &&
    typeof v.confidence === 'number' &&
    Array.isArray(v.probabilities) &&
    v.probabilities.length === 10 &&
    v.probabilities.every((p) => typeof p === 'number') &&
    typeof v.input === 'string'
  );
}

/** POST /predict with a PNG data URL; rejects with ApiError (or an AbortError when aborted). */
export async function predict(image: string, signal?: AbortSignal, options: ReadOptions = {}): Promise<Prediction> {
  const body = await request('/predict', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(options.explain ? { image, explain: true } : { image }),
    signal,
  });
  return toPrediction(body);
}

function toPrediction(body: unknown): Prediction {
  if (!isPrediction(body)) throw new ApiError('bad_response', 'The server sent an answer the app does not understand.');
  const { verdict, reason, alternatives, explanation, ...rest } = body;
  const prediction: Prediction = { ...rest, model: typeof body.model === 'string' ? body.model : '' };
  const why = explanationOf(explanation);
  if (why) prediction.explanation = why;
  // The verdict fields are optional (older servers omit them); ones of the wrong shape are dropped.
  if (typeof verdict === 'string' && VERDICTS.includes(verdict)) prediction.verdict = verdict;
  if (typeof reason === 'string' && reason.trim() !== '') prediction.reason = reason;
  if (Array.isArray(alternatives) && alternatives.every(isDigit)) prediction.alternatives = alternatives;
  return prediction;
}

/**
 * POST /predict with a picture file (an upload or a drop) as multipart/form-data, field "image": the same
 * answer as `predict`. Rejects with ApiError (or an AbortError when aborted).
 */
export async function predictFile(file: Blob, signal?: AbortSignal, options: ReadOptions = {}): Promise<Prediction> {
  const form = new FormData();
  form.append('image', file, file instanceof File ? file.name : 'picture');
  if (options.explain) form.append('explain', 'true');
  return toPrediction(await request('/predict', { method: 'POST', body: form, signal }));
}

/** GET /health: true when the server is up and its model is loaded (200), false for any other answer. */
export async function checkHealth(signal?: AbortSignal): Promise<boolean> {
  try {
    await request('/health', { signal });
    return true;
  } catch (error) {
    if (isAbortError(error)) throw error;
    return false;
  }
}

/** GET /model: the model card (version, accuracy, ...). */
export async function fetchModelCard(signal?: AbortSignal): Promise<ModelCard> {
  return (await request('/model', { signal })) as ModelCard;
}
