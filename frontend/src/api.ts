/** A small client for the Flask API. URLs are relative, so the UI works from any host. */

export interface Prediction {
  digit: number;
  confidence: number;
  /** Ten probabilities, for digits 0..9. */
  probabilities: number[];
  /** The 28x28 picture the model saw, as a PNG data URL. */
  input: string;
  model: string;
}

export interface ModelCard {
  version?: string;
  test_accuracy?: number;
  params?: number;
  trained_at?: string;
  [key: string]: unknown;
}

/** An API failure with a stable `code` and a `message` meant for a person. */
export class ApiError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, message: string, status = 0) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.status = status;
  }
}

export const isAbortError = (error: unknown): boolean =>
  error instanceof DOMException
    ? error.name === 'AbortError'
    : (error as { name?: unknown } | null)?.name === 'AbortError';

async function request(path: string, init: RequestInit = {}): Promise<unknown> {
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
    throw new ApiError(code, message, response.status);
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
export async function predict(image: string, signal?: AbortSignal): Promise<Prediction> {
  const body = await request('/predict', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ image }),
    signal,
  });
  if (!isPrediction(body)) throw new ApiError('bad_response', 'The server sent an answer the app does not understand.');
  return { ...body, model: typeof body.model === 'string' ? body.model : '' };
}

/** GET /model: the model card (version, accuracy, ...). */
export async function fetchModelCard(signal?: AbortSignal): Promise<ModelCard> {
  return (await request('/model', { signal })) as ModelCard;
}
