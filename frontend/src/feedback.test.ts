import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, type Prediction } from './api';
import { feedbackFor, fetchDrawing, sendFeedback, sharedDrawingId } from './feedback';

const result: Prediction = {
  digit: 1,
  confidence: 0.9,
  probabilities: [0.01, 0.9, 0.01, 0.01, 0.01, 0.01, 0.01, 0.02, 0.01, 0.01],
  input: 'data:image/png;base64,SEEN',
  model: 'cnn-abc',
};

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

function mockFetch(impl: (url: string, init?: RequestInit) => Promise<Response>) {
  const fn = vi.fn(impl);
  vi.stubGlobal('fetch', fn);
  return fn;
}

afterEach(() => vi.unstubAllGlobals());

describe('feedbackFor', () => {
  it('sends the strokes as [x, y] pairs with the canvas size, the picture and the answer', () => {
    const strokes = [
      [
        { x: 0.1, y: 0.2 },
        { x: 0.3, y: 0.4 },
      ],
      [],
      [{ x: 0.5, y: 0.6 }],
    ];
    expect(feedbackFor(strokes, 'data:image/png;base64,PIC', { width: 319.6, height: 320.2 }, result, 7)).toEqual({
      strokes: [
        [
          [0.1, 0.2],
          [0.3, 0.4],
        ],
        [[0.5, 0.6]],
      ],
      canvas: { width: 320, height: 320 },
      image: 'data:image/png;base64,PIC',
      predicted: 1,
      probabilities: result.probabilities,
      model: 'cnn-abc',
      label: 7,
      share: false,
    });
  });

  it('a drawing without a label is saved to be shared', () => {
    const body = feedbackFor([[{ x: 0.5, y: 0.5 }]], 'x', { width: 0, height: 0 }, result, null);
    expect(body).toMatchObject({ label: null, share: true, canvas: { width: 1, height: 1 } });
  });
});

describe('sendFeedback', () => {
  it('POSTs JSON to /feedback and returns what was stored', async () => {
    const stored = { id: 'abc', created_at: '2026-05-20T12:00:00Z', label: 7, shared: false };
    const fetch = mockFetch(async () => json(stored, 201));
    const body = feedbackFor([[{ x: 0.5, y: 0.5 }]], 'x', { width: 300, height: 300 }, result, 7);
    await expect(sendFeedback(body)).resolves.toEqual(stored);
    const [url, init] = fetch.mock.calls[0]!;
    expect(url).toBe('/feedback');
    expect(init!.method).toBe('POST');
    expect(JSON.parse(init!.body as string)).toEqual(body);
  });

  it('turns an error answer into an ApiError with its code', async () => {
    mockFetch(async () => json({ error: { code: 'rate_limited', message: 'Too many.' } }, 429));
    const body = feedbackFor([[{ x: 0.5, y: 0.5 }]], 'x', { width: 300, height: 300 }, result, 7);
    await expect(sendFeedback(body)).rejects.toMatchObject({ code: 'rate_limited', status: 429 });
  });
});

describe('fetchDrawing', () => {
  it('GETs /drawings/<id>', async () => {
    const drawing = { id: 'abc', predicted: 1, probabilities: result.probabilities, image: 'data:image/png;base64,X' };
    const fetch = mockFetch(async () => json(drawing));
    await expect(fetchDrawing('abc')).resolves.toEqual(drawing);
    expect(fetch.mock.calls[0]![0]).toBe('/drawings/abc');
  });

  it('refuses an answer of the wrong shape, and passes not_found on', async () => {
    mockFetch(async () => json({ id: 'abc', predicted: 12 }));
    await expect(fetchDrawing('abc')).rejects.toMatchObject({ code: 'bad_response' });
    mockFetch(async () => json({ error: { code: 'not_found', message: 'No.' } }, 404));
    const error = await fetchDrawing('abc').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'not_found' });
  });
});

describe('sharedDrawingId', () => {
  it('reads the id of a share page and nothing else', () => {
    expect(sharedDrawingId('/d/AbC_12-x')).toBe('AbC_12-x');
    expect(sharedDrawingId('/d/AbC_12-x/')).toBe('AbC_12-x');
    expect(sharedDrawingId('/')).toBeNull();
    expect(sharedDrawingId('/d/')).toBeNull();
    expect(sharedDrawingId('/d/a/b')).toBeNull();
    expect(sharedDrawingId('/d/<script>')).toBeNull();
    expect(sharedDrawingId('/x/d/abc')).toBeNull();
  });
});
