/**
 * What went wrong, in words for a person, and what the app does about it. Every failure class has its own
 * plain-language message (never a raw status line such as "502 Bad Gateway"), and says whether the app keeps
 * trying by itself: only when waiting can help (the server is unreachable, restarting, overloaded or slow), not
 * when the same picture would be refused again.
 */
import { ApiError } from './api';

export interface Failure {
  /** The class of failure, for tests and styling. */
  kind: 'unreachable' | 'timeout' | 'busy' | 'server' | 'unreadable' | 'too_large' | 'rejected' | 'app';
  /** A sentence for a person. */
  message: string;
  /** Try again automatically, with backoff. */
  retry: boolean;
  /** The server's `Retry-After`, when it sent one: wait at least this long. */
  retryAfterMs?: number;
}

/** Server messages already written for a person, shown as they are (the others are reworded here). */
const PLAIN_SERVER_CODES = new Set(['model_unavailable']);

export const MESSAGES = {
  unreachable: 'Can’t reach the recognizer. Is the server running?',
  timeout: 'The recognizer is taking too long to answer.',
  busy: 'The recognizer is busy right now.',
  restarting: 'The recognizer is restarting or overloaded.',
  server: 'The recognizer ran into a problem on its side.',
  unreadable: 'The recognizer could not read this picture. Use a PNG, JPEG, WebP or GIF image.',
  tooLarge: 'This picture is too large for the recognizer. Try a smaller one.',
  notAPicture: 'That file is not a picture. Choose a PNG, JPEG, WebP or GIF image.',
  rejected: 'The recognizer could not use what was sent.',
  badResponse: 'The recognizer sent an answer this page does not understand. Reloading the page may help.',
  app: 'Something went wrong in this page while preparing the drawing.',
  device: 'The model could not run on this device. Choose Server or Auto to ask the server.',
} as const;

/** Describe any error thrown while asking for a prediction. */
export function describeFailure(error: unknown): Failure {
  if (!(error instanceof ApiError)) return { kind: 'app', message: MESSAGES.app, retry: false };
  const { code, status, retryAfterMs } = error;
  const withWait = <F extends Failure>(failure: F): F =>
    retryAfterMs === undefined ? failure : { ...failure, retryAfterMs };
  if (code === 'network') return { kind: 'unreachable', message: MESSAGES.unreachable, retry: true };
  if (code === 'timeout') return { kind: 'timeout', message: MESSAGES.timeout, retry: true };
  if (code === 'bad_response') return { kind: 'server', message: MESSAGES.badResponse, retry: false };
  if (code === 'not_a_picture') return { kind: 'unreadable', message: MESSAGES.notAPicture, retry: false };
  if (code === 'device_failed') return { kind: 'app', message: MESSAGES.device, retry: false };
  if (PLAIN_SERVER_CODES.has(code) && error.message.trim() !== '') {
    return withWait({ kind: 'busy', message: error.message, retry: true });
  }
  if (status === 429) return withWait({ kind: 'busy', message: MESSAGES.busy, retry: true });
  if (status === 502 || status === 503 || status === 504) {
    return withWait({ kind: 'busy', message: MESSAGES.restarting, retry: true });
  }
  if (status >= 500) return withWait({ kind: 'server', message: MESSAGES.server, retry: true });
  if (code === 'image_too_large' || code === 'request_too_large' || status === 413) {
    return { kind: 'too_large', message: MESSAGES.tooLarge, retry: false };
  }
  if (code === 'invalid_image' || status === 415) {
    return { kind: 'unreadable', message: MESSAGES.unreadable, retry: false };
  }
  return { kind: 'rejected', message: MESSAGES.rejected, retry: false };
}

/** Backoff for automatic retries: 2 s, 4 s, 8 s, 16 s, then every 30 s. */
export const BACKOFF_BASE_MS = 2000;
export const BACKOFF_MAX_MS = 30_000;

/**
 * How long to wait before automatic attempt number `attempt` (0 for the first): exponential backoff, never
 * sooner than the server's Retry-After.
 */
export function retryDelay(attempt: number, retryAfterMs?: number): number {
  const backoff = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, Math.min(attempt, 30)));
  return Math.max(backoff, retryAfterMs ?? 0);
}
