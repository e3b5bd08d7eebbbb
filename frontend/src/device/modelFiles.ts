/**
 * The on-device model's two files: its card (`model.json`) and its ONNX export (`model.onnx`), whose SHA-256 must be
 * the one the card's `exports.onnx` vouches for. The Flask server serves the model it runs at these URLs; a static
 * build carries copies of the shipped model (see vite.config.ts); the service worker keeps both for offline use.
 */

import type { Calibration, Thresholds } from './verdict';

export const CARD_FILE = 'model.json';
export const MODEL_FILE = 'model.onnx';

/** What the device needs from the model card (the rest of it is ignored). */
export interface DeviceCard {
  version?: string;
  calibration?: { temperature?: number } | null;
  verdict?: { thresholds?: Thresholds } | null;
  exports?: { onnx?: { sha256?: string; bytes?: number } };
}

export interface ModelFiles {
  card: DeviceCard;
  /** The ONNX file's bytes, checked against the card. */
  model: ArrayBuffer;
}

/** The model file is not the one its card describes (a half-replaced model, a stale copy, a corrupt download). */
export class ModelMismatchError extends Error {
  constructor(expected: string, actual: string) {
    super(`The model file's SHA-256 is ${actual.slice(0, 12)}…, its card says ${expected.slice(0, 12)}…`);
    this.name = 'ModelMismatchError';
  }
}

/** SHA-256 of `bytes`, in lowercase hex (as the card writes it). */
export async function sha256Hex(bytes: ArrayBuffer): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
}

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

async function fetchOk(fetcher: Fetch, url: string, init?: RequestInit): Promise<Response> {
  const response = await fetcher(url, init);
  if (!response.ok) throw new Error(`${url} answered ${response.status}`);
  return response;
}

/**
 * Fetch the card and the model from `base` (the app's root URL) and check the model against the card. A copy that
 * does not match (a cache that kept an older model) is fetched once more from the network, past every cache: a
 * query the service worker's precache does not know, and `no-store` for the HTTP cache.
 */
export async function loadModelFiles(base: string | URL, fetcher: Fetch = fetch): Promise<ModelFiles> {
  const card = (await (await fetchOk(fetcher, new URL(CARD_FILE, base).href)).json()) as DeviceCard;
  const expected = card.exports?.onnx?.sha256;
  if (typeof expected !== 'string' || !/^[0-9a-f]{64}$/.test(expected)) {
    throw new Error('The model card names no ONNX export to check the model against.');
  }
  const url = new URL(MODEL_FILE, base);
  let model = await (await fetchOk(fetcher, url.href)).arrayBuffer();
  let actual = await sha256Hex(model);
  if (actual !== expected) {
    url.searchParams.set('sha256', expected);
    model = await (await fetchOk(fetcher, url.href, { cache: 'no-store' })).arrayBuffer();
    actual = await sha256Hex(model);
    if (actual !== expected) throw new ModelMismatchError(expected, actual);
  }
  return { card, model };
}

/** The card's calibration, as the verdict wants it (the thresholds whole: which score each one bounds too). */
export const calibrationOf = (card: DeviceCard): Calibration => ({
  temperature: card.calibration?.temperature ?? null,
  thresholds: card.verdict?.thresholds ?? null,
});
