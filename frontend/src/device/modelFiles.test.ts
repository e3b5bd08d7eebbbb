// @vitest-environment node
// (Node's own Response and Web Crypto: jsdom's ArrayBuffer is another realm's, which crypto.subtle refuses.)
import { describe, expect, it, vi } from 'vitest';
import { ModelMismatchError, calibrationOf, loadModelFiles, sha256Hex } from './modelFiles';

const bytes = (text: string) => new TextEncoder().encode(text).buffer;

/** A host serving `files` by path (and query); every request is recorded with its init. */
function host(files: Record<string, () => BodyInit>) {
  const calls: { url: string; init?: RequestInit }[] = [];
  const fetcher = vi.fn(async (url: string, init?: RequestInit) => {
    calls.push({ url, init });
    const { pathname, search } = new URL(url);
    const body = files[pathname + search] ?? files[pathname]; // a query it does not know: the file, as hosts do
    return body ? new Response(body()) : new Response('Not found', { status: 404 });
  });
  return { fetcher, calls };
}

describe('loadModelFiles', () => {
  it('gives the model and its card when the hash matches', async () => {
    const model = bytes('the model');
    const card = { version: 'cnn-1', exports: { onnx: { sha256: await sha256Hex(model) } } };
    const { fetcher, calls } = host({ '/model.json': () => JSON.stringify(card), '/model.onnx': () => model });
    const files = await loadModelFiles('https://example.test/', fetcher);
    expect(files.card).toEqual(card);
    expect(new TextDecoder().decode(files.model)).toBe('the model');
    expect(calls.map((c) => c.url)).toEqual(['https://example.test/model.json', 'https://example.test/model.onnx']);
  });

  it('fetches a stale copy once more past every cache, and refuses a file its card does not vouch for', async () => {
    const fresh = bytes('the new model');
    const card = { exports: { onnx: { sha256: await sha256Hex(fresh) } } };
    const stale = host({
      '/model.json': () => JSON.stringify(card),
      '/model.onnx': () => bytes('the old model'),
      [`/model.onnx?sha256=${card.exports.onnx.sha256}`]: () => fresh,
    });
    const files = await loadModelFiles('https://example.test/', stale.fetcher);
    expect(new TextDecoder().decode(files.model)).toBe('the new model');
    expect(stale.calls[2]!.init).toEqual({ cache: 'no-store' });

    const wrong = host({ '/model.json': () => JSON.stringify(card), '/model.onnx': () => bytes('tampered') });
    await expect(loadModelFiles('https://example.test/', wrong.fetcher)).rejects.toBeInstanceOf(ModelMismatchError);
  });

  it('needs a card that names the export’s hash, and both files', async () => {
    const noHash = host({ '/model.json': () => '{"version": "x"}', '/model.onnx': () => bytes('m') });
    await expect(loadModelFiles('https://example.test/', noHash.fetcher)).rejects.toThrow(/names no ONNX export/);
    const nothing = host({});
    await expect(loadModelFiles('https://example.test/', nothing.fetcher)).rejects.toThrow(/404/);
  });

  it('hashes as the card writes it: lowercase hex SHA-256', async () => {
    expect(await sha256Hex(bytes('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});

describe('calibrationOf', () => {
  it('takes the temperature and thresholds the verdict needs, null when the card has none', () => {
    const card = { calibration: { temperature: 0.96 }, verdict: { thresholds: { not_a_digit: 0.5, unsure: 0.7 } } };
    expect(calibrationOf(card)).toEqual({ temperature: 0.96, thresholds: { not_a_digit: 0.5, unsure: 0.7 } });
    expect(calibrationOf({})).toEqual({ temperature: null, thresholds: null });
  });
});
