import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, fetchModelCard, isAbortError, predict } from './api';

const ok = {
  digit: 7,
  confidence: 0.9,
  probabilities: [0, 0, 0, 0, 0, 0, 0, 0.9, 0.05, 0.05],
  input: 'data:image/png;base64,xx',
  model: 'v1',
};

function mockFetch(impl: (url: string, init?: RequestInit) => Promise<Response>) {
  const fn = vi.fn(impl);
  vi.stubGlobal('fetch', fn);
  return fn;
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

afterEach(() => vi.unstubAllGlobals());

describe('predict', () => {
  it('POSTs the data URL as JSON to the relative /predict URL', async () => {
    const fetch = mockFetch(async () => json(ok));
    const signal = new AbortController().signal;
    await expect(predict('data:image/png;base64,AAA', signal)).resolves.toEqual(ok);
    const [url, init] = fetch.mock.calls[0]!;
    expect(url).toBe('/predict');
    expect(init!.method).toBe('POST');
    expect(init!.signal).toBe(signal);
    expect((init!.headers as Record<string, string>)['Content-Type']).toBe('application/json');
    expect(JSON.parse(init!.body as string)).toEqual({ image: 'data:image/png;base64,AAA' });
  });

  it('turns an error answer into an ApiError with its code and message', async () => {
    mockFetch(async () => json({ error: { code: 'model_unavailable', message: 'The model is loading.' } }, 503));
    const error = await predict('x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'model_unavailable', message: 'The model is loading.', status: 503 });
  });

  it('copes with an error answer that is not JSON', async () => {
    mockFetch(async () => new Response('<h1>Bad gateway</h1>', { status: 502, statusText: 'Bad Gateway' }));
    const error = await predict('x').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'http_502', status: 502 });
    expect((error as Error).message).toContain('502');
  });

  it('reports a network failure as ApiError "network"', async () => {
    mockFetch(async () => {
      throw new TypeError('Failed to fetch');
    });
    const error = await predict('x').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'network' });
    expect((error as Error).message).toMatch(/reach/i);
  });

  it('lets an abort through as an AbortError', async () => {
    mockFetch(async () => {
      throw new DOMException('The operation was aborted.', 'AbortError');
    });
    const error = await predict('x').catch((e: unknown) => e);
    expect(isAbortError(error)).toBe(true);
    expect(error).not.toBeInstanceOf(ApiError);
  });

  it('rejects a malformed success answer', async () => {
    mockFetch(async () => json({ digit: 3 }));
    await expect(predict('x')).rejects.toMatchObject({ code: 'bad_response' });
  });
});

describe('fetchModelCard', () => {
  it('GETs /model', async () => {
    const fetch = mockFetch(async () => json({ version: 'v2', test_accuracy: 0.99 }));
    await expect(fetchModelCard()).resolves.toEqual({ version: 'v2', test_accuracy: 0.99 });
    expect(fetch.mock.calls[0]![0]).toBe('/model');
  });
});
