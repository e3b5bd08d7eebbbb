import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  ApiError,
  candidatesOf,
  checkHealth,
  fetchModelCard,
  isAbortError,
  parseRetryAfter,
  predict,
  predictFile,
  verdictOf,
} from './api';

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

  it('passes the verdict, its reason and the two alternatives through', async () => {
    const unsure = { ...ok, verdict: 'unsure', reason: 'It could be a 7 or a 9.', alternatives: [7, 9] };
    mockFetch(async () => json(unsure));
    await expect(predict('x')).resolves.toEqual(unsure);
  });

  it('accepts an older answer without a verdict, which reads as "digit"', async () => {
    mockFetch(async () => json(ok));
    const prediction = await predict('x');
    expect(prediction).not.toHaveProperty('verdict');
    expect(verdictOf(prediction)).toBe('digit');
  });

  it('drops verdict fields of the wrong shape rather than failing', async () => {
    mockFetch(async () => json({ ...ok, verdict: 'maybe', reason: 42, alternatives: [7, 'nine'] }));
    const prediction = await predict('x');
    expect(prediction).toEqual(ok);
    expect(verdictOf(prediction)).toBe('digit');
    expect(verdictOf({ verdict: 'not_a_digit' })).toBe('not_a_digit');
  });

  it('rejects a malformed success answer', async () => {
    mockFetch(async () => json({ digit: 3 }));
    await expect(predict('x')).rejects.toMatchObject({ code: 'bad_response' });
  });
});

describe('candidatesOf', () => {
  const probabilities = [0.01, 0.01, 0.02, 0.03, 0.41, 0.05, 0.02, 0.06, 0.01, 0.38];

  it('takes the two alternatives the server sent, in its order', () => {
    expect(candidatesOf({ probabilities, alternatives: [9, 4] })).toEqual([9, 4]);
  });

  it('falls back to the two highest probabilities without two different alternatives', () => {
    expect(candidatesOf({ probabilities })).toEqual([4, 9]);
    expect(candidatesOf({ probabilities, alternatives: [4] })).toEqual([4, 9]);
    expect(candidatesOf({ probabilities, alternatives: [4, 4] })).toEqual([4, 9]);
  });
});

describe('fetchModelCard', () => {
  it('GETs /model', async () => {
    const fetch = mockFetch(async () => json({ version: 'v2', test_accuracy: 0.99 }));
    await expect(fetchModelCard()).resolves.toEqual({ version: 'v2', test_accuracy: 0.99 });
    expect(fetch.mock.calls[0]![0]).toBe('/model');
  });
});

describe('Retry-After', () => {
  it('reads delay-seconds and HTTP dates as milliseconds from now', () => {
    const now = Date.parse('2025-01-01T12:00:00Z');
    expect(parseRetryAfter('5', now)).toBe(5000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Wed, 01 Jan 2025 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 11:00:00 GMT', now)).toBe(0); // in the past: now
  });

  it('ignores a missing or unreadable header', () => {
    expect(parseRetryAfter(null)).toBeUndefined();
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('-1')).toBeUndefined();
    expect(parseRetryAfter('1.5')).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });

  it('is carried by the ApiError of a busy answer', async () => {
    mockFetch(
      async () =>
        new Response(JSON.stringify({ error: { code: 'model_unavailable', message: 'Loading.' } }), {
          status: 503,
          headers: { 'Content-Type': 'application/json', 'Retry-After': '5' },
        }),
    );
    const error = await predict('x').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'model_unavailable', status: 503, retryAfterMs: 5000 });
    mockFetch(async () => json({ error: { code: 'invalid_image', message: 'Bad.' } }, 400));
    expect(await predict('x').catch((e: unknown) => e)).toMatchObject({ retryAfterMs: undefined });
  });
});

describe('predictFile', () => {
  it('POSTs the picture as multipart/form-data, file field "image"', async () => {
    const fetch = mockFetch(async () => json(ok));
    const file = new File([new Uint8Array([137, 80, 78, 71])], 'seven.png', { type: 'image/png' });
    const signal = new AbortController().signal;
    await expect(predictFile(file, signal)).resolves.toEqual(ok);
    const [url, init] = fetch.mock.calls[0]!;
    expect(url).toBe('/predict');
    expect(init!.method).toBe('POST');
    expect(init!.signal).toBe(signal);
    const body = init!.body as FormData;
    expect(body).toBeInstanceOf(FormData);
    const sent = body.get('image') as File;
    expect(sent.name).toBe('seven.png');
    expect(sent.size).toBe(4);
    // The browser sets the multipart boundary itself: no Content-Type of ours.
    expect((init!.headers as Record<string, string>)['Content-Type']).toBeUndefined();
  });

  it('rejects like predict', async () => {
    mockFetch(async () => json({ error: { code: 'invalid_image', message: 'Not a PNG.' } }, 400));
    await expect(predictFile(new Blob(['x']))).rejects.toMatchObject({ code: 'invalid_image', status: 400 });
    mockFetch(async () => json({ digit: 1 }));
    await expect(predictFile(new Blob(['x']))).rejects.toMatchObject({ code: 'bad_response' });
  });
});

describe('checkHealth', () => {
  it('is true only for a 200 from /health', async () => {
    const fetch = mockFetch(async () => json({ status: 'ok' }));
    await expect(checkHealth()).resolves.toBe(true);
    expect(fetch.mock.calls[0]![0]).toBe('/health');
    mockFetch(async () => json({ status: 'loading' }, 503));
    await expect(checkHealth()).resolves.toBe(false);
    mockFetch(async () => {
      throw new TypeError('Failed to fetch');
    });
    await expect(checkHealth()).resolves.toBe(false);
  });

  it('lets an abort through', async () => {
    mockFetch(async () => {
      throw new DOMException('The operation was aborted.', 'AbortError');
    });
    expect(isAbortError(await checkHealth().catch((e: unknown) => e))).toBe(true);
  });
});
