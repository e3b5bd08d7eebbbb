/**
 * Where an answer comes from, as rules: the person's choice (Auto, the server, this device) and what the app knows
 * about the server. Auto asks the server while it answers, and this device when it cannot be reached (a network
 * error, a gateway's error page) or when there is no server at all (a static host: its 404 is not this API's).
 */
import { ApiError, type AnsweredBy } from './api';

export type SourceChoice = 'auto' | 'server' | 'device';

export const SOURCE_CHOICES: readonly SourceChoice[] = ['auto', 'server', 'device'];

/** What the app knows about the server: nothing yet, it answers, it cannot be reached, or there is none here. */
export type ServerState = 'unknown' | 'up' | 'down' | 'absent';

/** Where to send the next request. */
export function whereToAsk(choice: SourceChoice, server: ServerState, deviceAvailable: boolean): AnsweredBy {
  if (choice === 'server') return 'server';
  if (choice === 'device') return 'device';
  return deviceAvailable && (server === 'down' || server === 'absent') ? 'device' : 'server';
}

/**
 * What a failed request says about the server: `down` (no answer, or a gateway's page instead of this API's: 502,
 * 503, 504 without an error code), `absent` (a plain 404, 405 or 501: a static host, not this API, which names its
 * errors), or `up` (the server answered with one of its own error codes: it is there).
 */
export function serverStateAfter(error: unknown): ServerState | null {
  if (!(error instanceof ApiError)) return null;
  if (error.code === 'network') return 'down';
  if (/^http_50[234]$/.test(error.code)) return 'down';
  if (/^http_(404|405|501)$/.test(error.code)) return 'absent';
  if (error.code === 'timeout' || error.code === 'bad_response') return null;
  return error.status > 0 ? 'up' : null;
}

/** Answers come from this device because the server is not there (Auto's fallback). */
export const fellBack = (choice: SourceChoice, server: ServerState): boolean =>
  choice === 'auto' && (server === 'down' || server === 'absent');

export const SOURCE_WORDS: Record<AnsweredBy, string> = { server: 'the server', device: 'this device' };

/** The line that says why answers come from where they do, or null when there is nothing to say. */
export function sourceNotice(choice: SourceChoice, server: ServerState, recovered: boolean): string | null {
  if (choice === 'auto' && server === 'down') {
    return 'Can’t reach the server: answering on this device. Back to the server as soon as it answers.';
  }
  if (choice === 'auto' && server === 'absent') return 'No server here: answering on this device.';
  if (choice === 'auto' && recovered && server === 'up') return 'The server answers again: back to the server.';
  return null;
}

const STORAGE_KEY = 'digits.source';

/** The choice kept in this browser (Auto unless the person chose otherwise). */
export function loadChoice(storage: Pick<Storage, 'getItem'> | null = safeStorage()): SourceChoice {
  const value = storage?.getItem(STORAGE_KEY);
  return SOURCE_CHOICES.includes(value as SourceChoice) ? (value as SourceChoice) : 'auto';
}

export function saveChoice(choice: SourceChoice, storage: Pick<Storage, 'setItem'> | null = safeStorage()): void {
  try {
    storage?.setItem(STORAGE_KEY, choice);
  } catch {
    // storage full or refused (private mode): the choice lasts as long as the page
  }
}

function safeStorage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}
