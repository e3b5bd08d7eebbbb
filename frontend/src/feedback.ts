/**
 * What people teach the app: a correction ("it was a 7") or a drawing saved to share, sent to `POST /feedback`,
 * and a shared drawing read back from `GET /drawings/<id>`.
 */
import { ApiError, isDigit, request, type Prediction } from './api';
import type { Stroke } from './strokes';

export interface FeedbackRequest {
  /** Every stroke as [x, y] points in 0..1 of the canvas, y down. */
  strokes: [number, number][][];
  /** The drawing area on screen, in CSS pixels. */
  canvas: { width: number; height: number };
  /** The PNG data URL the app sends to /predict. */
  image: string;
  predicted: number;
  probabilities: number[];
  model: string;
  /** What the digit really was; null for a drawing saved only to be shared. */
  label: number | null;
  share: boolean;
}

export interface Stored {
  id: string;
  created_at: string;
  label: number | null;
  shared: boolean;
  /** The share page, `/d/<id>`, when shared. */
  url?: string;
}

export interface SharedDrawing {
  id: string;
  created_at: string;
  predicted: number;
  confidence: number;
  probabilities: number[];
  model: string;
  label: number | null;
  canvas: { width: number; height: number };
  strokes: [number, number][][];
  /** The drawing as a PNG data URL. */
  image: string;
}

/** The request body for a drawing and the answer the model gave it. */
export function feedbackFor(
  strokes: readonly Stroke[],
  image: string,
  canvas: { width: number; height: number },
  result: Prediction,
  label: number | null,
): FeedbackRequest {
  return {
    strokes: strokes.filter((stroke) => stroke.length > 0).map((stroke) => stroke.map(({ x, y }) => [x, y])),
    canvas: { width: Math.max(1, Math.round(canvas.width)), height: Math.max(1, Math.round(canvas.height)) },
    image,
    predicted: result.digit,
    probabilities: result.probabilities,
    model: result.model || 'unknown',
    label,
    share: label === null,
  };
}

/** POST /feedback; rejects with ApiError (e.g. `rate_limited`). */
export async function sendFeedback(body: FeedbackRequest, signal?: AbortSignal): Promise<Stored> {
  const answer = (await request('/feedback', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
    signal,
  })) as Partial<Stored> | null;
  if (!answer || typeof answer.id !== 'string') {
    throw new ApiError('bad_response', 'The server sent an answer the app does not understand.');
  }
  return answer as Stored;
}

const isShared = (value: unknown): value is SharedDrawing => {
  const v = value as Partial<SharedDrawing> | null;
  return (
    !!v &&
    typeof v.id === 'string' &&
    isDigit(v.predicted) &&
    Array.isArray(v.probabilities) &&
    v.probabilities.length === 10 &&
    typeof v.image === 'string' &&
    v.image.startsWith('data:image/png;base64,')
  );
};

/** GET /drawings/<id>: a shared drawing; rejects with ApiError (`not_found` for an unknown or private one). */
export async function fetchDrawing(id: string, signal?: AbortSignal): Promise<SharedDrawing> {
  const body = await request(`/drawings/${encodeURIComponent(id)}`, { signal });
  if (!isShared(body)) throw new ApiError('bad_response', 'The server sent an answer the app does not understand.');
  return body;
}

/** The id in a share page's path (`/d/<id>`), or null for any other page. */
export function sharedDrawingId(pathname: string): string | null {
  const match = /^\/d\/([A-Za-z0-9_-]{1,64})\/?$/.exec(pathname);
  return match ? match[1]! : null;
}
