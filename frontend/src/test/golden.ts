/// <reference types="node" />
/**
 * The golden fixtures written by `python -m backend.training.golden` (`make golden`; `make test-frontend` makes them
 * first): canvas and paper pictures with what the server's Python makes of each. Read in Node, PNGs decoded by
 * fast-png to their stored pixels (no colour management, no premultiplication: what the server decodes).
 */
import { existsSync, readFileSync } from 'node:fs';
import { decode } from 'fast-png';
import type { Thresholds } from '../device/verdict';

export const GOLDEN_DIR = new URL('../../golden/', import.meta.url);
const MAKE_THEM = 'Make them with `make golden` (`make test-frontend` does it before Vitest).';

export interface GoldenFixture {
  png: string;
  kind: 'mnist' | 'pen' | 'scan' | 'mnist_stored' | 'number' | 'non_digit';
  label: number | null;
  /** The 28x28 field as the box around its ink (the rest is zero): float32 little-endian, base64. */
  field: { top: number; left: number; height: number; width: number; values: string };
  extent: number;
  aspect: number;
  raw: number[];
  probabilities: number[];
  digit: number;
  confidence: number;
  verdict: 'digit' | 'unsure' | 'not_a_digit';
  reason: string;
  alternatives: number[];
  /** The verdict under the golden's `other_thresholds` (each on the other score than the shipped card's). */
  by_other_thresholds: { verdict: 'digit' | 'unsure' | 'not_a_digit'; reason: string };
}

export interface Golden {
  model: string;
  card: { temperature: number; thresholds: Thresholds | null };
  other_thresholds: Thresholds;
  count: number;
  fixtures: GoldenFixture[];
}

/** The fixtures; a clear failure (never a skip) when they have not been made. */
export function loadGolden(): Golden {
  const file = new URL('fixtures.json', GOLDEN_DIR);
  if (!existsSync(file)) throw new Error(`The golden fixtures are missing (${file.pathname}). ${MAKE_THEM}`);
  const golden = JSON.parse(readFileSync(file, 'utf8')) as Golden;
  if (golden.fixtures.length !== golden.count) throw new Error(`The golden fixtures are incomplete. ${MAKE_THEM}`);
  return golden;
}

/** The expected 784 field values. */
export function expectedField(fixture: GoldenFixture): Float32Array {
  const { top, left, height, width, values } = fixture.field;
  const bytes = Buffer.from(values, 'base64');
  const box = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const field = new Float32Array(28 * 28);
  for (let y = 0; y < height; y++) field.set(box.subarray(y * width, (y + 1) * width), (top + y) * 28 + left);
  return field;
}

export interface Picture {
  rgba: Uint8Array;
  width: number;
  height: number;
}

/** A fixture's PNG as RGBA pixels (grayscale and RGB pictures given an opaque alpha, as a canvas would read them). */
export function readPicture(fixture: Pick<GoldenFixture, 'png'>): Picture {
  const png = decode(readFileSync(new URL(`png/${fixture.png}`, GOLDEN_DIR)));
  if (png.depth !== 8 || png.palette) throw new Error(`${fixture.png}: expected 8-bit samples without a palette.`);
  const { width, height, channels, data } = png;
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) {
    const at = i * channels;
    const gray = channels < 3;
    rgba[i * 4] = data[at]!;
    rgba[i * 4 + 1] = data[gray ? at : at + 1]!;
    rgba[i * 4 + 2] = data[gray ? at : at + 2]!;
    rgba[i * 4 + 3] = channels === 2 || channels === 4 ? data[at + channels - 1]! : 255;
  }
  return { rgba, width, height };
}
