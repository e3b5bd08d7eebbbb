import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError, predict, predictFile } from './api';
import { boxStyle, readNumber, readNumberFile, toNumberReading } from './reading';

const bars = (digit: number, p = 0.91) => Array.from({ length: 10 }, (_, d) => (d === digit ? p : (1 - p) / 9));
const digit = (value: number, x: number) => ({
  box: { x, y: 40, width: 60, height: 100 },
  digit: value,
  confidence: 0.91,
  probabilities: bars(value),
  verdict: 'digit',
  reason: `Looks like a ${value}.`,
  alternatives: [value, 1],
});
const ok = { number: '27', digits: [digit(2, 50), digit(7, 150)], width: 500, height: 200, model: 'v1' };
const HEATMAP = 'data:image/png;base64,HEAT';

function mockFetch(body: unknown, status = 200) {
  const fn = vi.fn(
    async (_url: string, _init?: RequestInit) =>
      new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } }),
  );
  vi.stubGlobal('fetch', fn);
  return fn;
}

afterEach(() => vi.unstubAllGlobals());

describe('readNumber', () => {
  it('POSTs the picture as JSON to /read-number, and asks why only when told to', async () => {
    const fetch = mockFetch(ok);
    await expect(readNumber('data:image/png;base64,AAA')).resolves.toMatchObject({ number: '27', width: 500 });
    expect(fetch.mock.calls[0]![0]).toBe('/read-number');
    expect(JSON.parse(fetch.mock.calls[0]![1]!.body as string)).toEqual({ image: 'data:image/png;base64,AAA' });
    await readNumber('data:image/png;base64,AAA', undefined, { explain: true });
    expect(JSON.parse(fetch.mock.calls[1]![1]!.body as string)).toEqual({
      image: 'data:image/png;base64,AAA',
      explain: true,
    });
  });

  it('sends a file as multipart/form-data, with the explain field when asked', async () => {
    const fetch = mockFetch({ ...ok, explanation: { method: 'occlusion', heatmap: HEATMAP } });
    const file = new File(['png'], 'number.png', { type: 'image/png' });
    const reading = await readNumberFile(file, undefined, { explain: true });
    expect(reading.explanation).toEqual({ method: 'occlusion', heatmap: HEATMAP });
    const form = fetch.mock.calls[0]![1]!.body as FormData;
    expect((form.get('image') as File).name).toBe('number.png');
    expect(form.get('explain')).toBe('true');
  });

  it('turns an error answer into an ApiError with its code', async () => {
    mockFetch({ error: { code: 'too_many_digits', message: 'There are 40 separate marks.' } }, 422);
    await expect(readNumber('x')).rejects.toMatchObject({ code: 'too_many_digits', status: 422 });
  });
});

describe('toNumberReading', () => {
  it('keeps a well-formed answer and its digits in order', () => {
    const reading = toNumberReading(ok);
    expect(reading.digits.map((d) => d.digit)).toEqual([2, 7]);
    expect(reading.digits[1]!.box).toEqual({ x: 150, y: 40, width: 60, height: 100 });
    expect(reading.explanation).toBeUndefined();
  });

  it.each([
    ['no digits', { ...ok, digits: undefined }],
    ['a digit without a box', { ...ok, digits: [{ ...digit(2, 0), box: null }] }],
    ['nine probabilities', { ...ok, digits: [{ ...digit(2, 0), probabilities: bars(2).slice(1) }] }],
    ['a digit of 12', { ...ok, digits: [{ ...digit(2, 0), digit: 12 }] }],
    ['no picture size', { ...ok, width: 0 }],
    ['not an object', 'hello'],
  ])('refuses an answer with %s', (_, body) => {
    expect(() => toNumberReading(body)).toThrow(ApiError);
  });

  it('drops an explanation that is not a PNG data URL', () => {
    expect(toNumberReading({ ...ok, explanation: { method: 'x', heatmap: 'javascript:alert(1)' } }).explanation).toBe(
      undefined,
    );
  });
});

describe('boxStyle', () => {
  it('places a box in percentages of the picture, whatever the size on screen', () => {
    expect(boxStyle({ x: 50, y: 40, width: 100, height: 120 }, { width: 500, height: 200 })).toEqual({
      left: '10%',
      top: '20%',
      width: '20%',
      height: '60%',
    });
  });
});

describe('predict with explain', () => {
  const answer = {
    digit: 7,
    confidence: 0.9,
    probabilities: bars(7, 0.9),
    input: 'data:image/png;base64,xx',
    model: 'v',
  };

  it('asks /predict why only when told to, and keeps a valid explanation', async () => {
    const fetch = mockFetch({ ...answer, explanation: { method: 'occlusion', heatmap: HEATMAP } });
    const prediction = await predict('data:image/png;base64,AAA', undefined, { explain: true });
    expect(JSON.parse(fetch.mock.calls[0]![1]!.body as string)).toEqual({
      image: 'data:image/png;base64,AAA',
      explain: true,
    });
    expect(prediction.explanation).toEqual({ method: 'occlusion', heatmap: HEATMAP });
    await predictFile(new File(['png'], 'a.png', { type: 'image/png' }), undefined, { explain: true });
    expect((fetch.mock.calls[1]![1]!.body as FormData).get('explain')).toBe('true');
    await predictFile(new File(['png'], 'a.png', { type: 'image/png' }));
    expect((fetch.mock.calls[2]![1]!.body as FormData).get('explain')).toBeNull();
  });

  it('drops an explanation of the wrong shape', async () => {
    mockFetch({ ...answer, explanation: { heatmap: 42 } });
    expect((await predict('x')).explanation).toBeUndefined();
  });
});
