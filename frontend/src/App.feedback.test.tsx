import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { FeedbackRequest } from './feedback';
import { answer, renderApp } from './test/renderApp';

const SEVEN: [number, number][] = [
  [40, 40],
  [240, 40],
  [120, 250],
];

/** The server's POST /feedback, as fetch sees it. */
function feedbackServer() {
  let n = 0;
  const fetch = vi.fn(async (_url: string, init?: RequestInit) => {
    const body = JSON.parse(init!.body as string) as { label: number | null; share: boolean };
    const id = `id${++n}`;
    const stored = { id, created_at: '2026-05-20T12:00:00Z', label: body.label, shared: body.share };
    return new Response(JSON.stringify(body.share ? { ...stored, url: `/d/${id}` } : stored), {
      status: 201,
      headers: { 'Content-Type': 'application/json' },
    });
  });
  vi.stubGlobal('fetch', fetch);
  return fetch;
}

beforeEach(() => localStorage.clear());
afterEach(() => vi.unstubAllGlobals());

describe('App: corrections and sharing', () => {
  it('offers nothing before an answer', () => {
    renderApp({ predict: vi.fn(async () => answer(1)) });
    expect(screen.queryByTestId('feedback')).toBeNull();
    expect(screen.queryByTestId('my-drawings')).toBeNull();
  });

  it('after an answer, a correction (key 7) sends the drawing and the answer, listed under My drawings', async () => {
    const fetch = feedbackServer();
    const { stroke } = renderApp({ predict: vi.fn(async () => answer(1)) });
    stroke(SEVEN);
    expect(await screen.findByTestId('prediction-digit')).toHaveTextContent('1');
    await waitFor(() => expect(screen.getByTestId('correct-7')).toBeEnabled());
    await act(async () => fireEvent.keyDown(window, { key: '7' }));
    expect(fetch).toHaveBeenCalledTimes(1);
    const [url, init] = fetch.mock.calls[0]!;
    expect(url).toBe('/feedback');
    const body = JSON.parse(init!.body as string) as FeedbackRequest;
    expect(body).toMatchObject({ image: 'strokes:1:3', predicted: 1, label: 7, share: false, model: 'test' });
    expect(body.strokes).toHaveLength(1);
    expect(body.canvas).toEqual({ width: 280, height: 280 });
    expect(screen.getByTestId('feedback-thanks')).toHaveTextContent('Noted as a 7');
    expect(screen.getByTestId('my-drawings')).toHaveTextContent('My drawings (1)');
    expect(screen.getByTestId('my-drawing')).toHaveTextContent('You said 7; the model said 1.');
  });

  it('Save & share gives a link to the drawing', async () => {
    feedbackServer();
    const { stroke } = renderApp({ predict: vi.fn(async () => answer(7)) });
    stroke(SEVEN);
    await screen.findByTestId('prediction-digit');
    await waitFor(() => expect(screen.getByTestId('share')).toBeEnabled());
    await act(async () => fireEvent.click(screen.getByTestId('share')));
    expect(screen.getByTestId('share-link')).toHaveAttribute('href', '/d/id1');
    expect(screen.getByTestId('my-drawing-link')).toHaveAttribute('href', '/d/id1');
  });

  it('is not offered for an uploaded picture (it has no strokes)', async () => {
    renderApp({ predictFile: vi.fn(async () => answer(3)) });
    const picture = new File([new Uint8Array([137, 80, 78, 71])], 'three.png', { type: 'image/png' });
    fireEvent.change(screen.getByTestId('upload-input'), { target: { files: [picture] } });
    expect(await screen.findByTestId('prediction-digit')).toHaveTextContent('3');
    expect(screen.queryByTestId('feedback')).toBeNull();
  });
});
