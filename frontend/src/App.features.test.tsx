import { act, fireEvent, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, type Prediction } from './api';
import { MESSAGES } from './failure';
import { deferred } from './test/deferred';
import { CROSSBAR, UPRIGHT, answer, renderApp, renderWithFour } from './test/renderApp';

type Call = {
  image: string;
  signal: AbortSignal;
  reply: ReturnType<typeof deferred<Prediction>>;
  sentAt: number;
  done: boolean;
};

/** A slow server: every request waits until the test answers it (`due` lists those `latency` ms old). */
function slowServer(latency = 400) {
  const calls: Call[] = [];
  const predict = vi.fn((image: string, signal: AbortSignal) => {
    const reply = deferred<Prediction>();
    calls.push({ image, signal, reply, sentAt: Date.now(), done: false });
    return reply.promise;
  });
  const open = () => calls.filter((c) => !c.done && !c.signal.aborted);
  const due = () => open().filter((c) => Date.now() - c.sentAt >= latency);
  const answerCall = async (call: Call, value: Prediction) => {
    call.done = true;
    await act(async () => call.reply.resolve(value));
  };
  return { calls, predict, inFlight: () => open().length, due, answerCall };
}

const advance = (ms: number) => act(async () => vi.advanceTimersByTimeAsync(ms));

describe('App under latency', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('keeps answering while drawing: one request in flight, the newest drawing sent when it returns', async () => {
    const server = slowServer();
    const { down, move, up } = renderApp({ predict: server.predict });
    const pointer = down(140, 20);
    let y = 20;
    let shown = 0;
    let maxInFlight = 0;
    // A 2-second stroke at 60 fps against a server that takes 400 ms.
    for (let t = 0; t < 2000; t += 16) {
      move(pointer, 140, (y += 2));
      maxInFlight = Math.max(maxInFlight, server.inFlight());
      await advance(16);
      for (const call of server.due()) {
        await server.answerCall(call, answer(1, 0.5 + shown / 100));
        shown++;
      }
      maxInFlight = Math.max(maxInFlight, server.inFlight());
    }
    expect(maxInFlight).toBe(1);
    expect(server.calls.filter((c) => c.signal.aborted)).toHaveLength(0); // nothing cancelled while drawing
    expect(shown).toBeGreaterThanOrEqual(3);
    expect(Number(screen.getByTestId('prediction').closest('.result')!.getAttribute('data-answers'))).toBe(shown);
    // Each request carried the drawing as it was when it went out: more points every time.
    const sizes = server.calls.map((c) => Number(c.image.split(':')[2]));
    expect(sizes).toEqual([...sizes].sort((a, b) => a - b));
    expect(new Set(sizes).size).toBe(sizes.length);

    // Pen up: the final drawing goes out at once, and its answer arrives.
    const before = server.calls.length;
    up(pointer, 140, y);
    expect(server.calls.length).toBe(before + 1);
    const final = server.calls.at(-1)!;
    await server.answerCall(final, answer(1, 0.99));
    expect(screen.getByTestId('prediction-digit')).toHaveTextContent('1');
    expect(screen.getByTestId('confidence')).toHaveTextContent('99.0%');
    expect(screen.getByTestId('announcement')).toHaveTextContent('1, 99 percent');
  });

  it('shows a busy cue over the current answer while the next one is on its way', async () => {
    const server = slowServer();
    const { stroke } = renderApp({ predict: server.predict });
    stroke([
      [60, 20],
      [60, 200],
    ]);
    await server.answerCall(server.calls.at(-1)!, answer(1));
    expect(screen.getByTestId('busy-indicator')).toHaveAttribute('data-active', 'false');
    stroke(CROSSBAR);
    expect(screen.getByTestId('prediction-digit')).toHaveTextContent('1'); // the answer stays...
    expect(screen.getByTestId('busy-indicator')).toHaveAttribute('data-active', 'true'); // ...marked as busy
    await server.answerCall(server.calls.at(-1)!, answer(4));
    expect(screen.getByTestId('busy-indicator')).toHaveAttribute('data-active', 'false');
  });

  it('announces once per finished stroke, never the live answers', async () => {
    const predict = vi.fn(async () => answer(7, 0.981));
    const { down, move, up } = renderApp({ predict });
    const region = screen.getByTestId('prediction'); // the live region is there before any answer
    const said: string[] = [];
    const observer = new MutationObserver(() =>
      said.push(region.querySelector('[data-testid="announcement"]')?.textContent ?? ''),
    );
    observer.observe(region, { subtree: true, childList: true, characterData: true });
    const pointer = down(40, 40);
    for (let x = 40; x < 240; x += 10) {
      move(pointer, x, 40);
      await advance(50);
    }
    expect(predict.mock.calls.length).toBeGreaterThanOrEqual(3);
    expect(said.filter((text) => /percent/.test(text))).toEqual([]);
    up(pointer, 240, 40);
    await advance(0);
    observer.disconnect();
    expect(screen.getByTestId('announcement')).toHaveTextContent('7, 98 percent');
    expect(new Set(said.filter((text) => /percent/.test(text)))).toEqual(new Set(['7, 98 percent']));
  });
});

describe('App: nothing lost by accident', () => {
  beforeEach(() => vi.useFakeTimers({ shouldAdvanceTime: true }));
  afterEach(() => vi.useRealTimers());

  it('undoes a clear: Undo brings the drawing back and asks about it again; Redo clears it again', async () => {
    const { predict } = await renderWithFour();
    await act(async () => fireEvent.click(screen.getByTestId('clear')));
    expect(screen.getByTestId('prompt')).toHaveTextContent(/draw a digit/i);
    expect(screen.getByTestId('undo')).toBeEnabled(); // the clear can be undone
    expect(screen.getByTestId('redo')).toBeDisabled();

    await act(async () => fireEvent.click(screen.getByTestId('undo')));
    expect(predict.mock.calls.at(-1)![0]).toBe('strokes:2:2,2');
    expect(await screen.findByTestId('prediction-digit')).toHaveTextContent('4');
    expect(screen.getByTestId('redo')).toBeEnabled();

    await act(async () => fireEvent.click(screen.getByTestId('redo')));
    expect(screen.getByTestId('prompt')).toHaveTextContent(/draw a digit/i);
  });

  it('redoes with Ctrl+Shift+Z, Cmd+Shift+Z and Ctrl+Y', async () => {
    const { predict } = await renderWithFour();
    const key = (init: KeyboardEventInit) => act(async () => void fireEvent.keyDown(window, init));

    await key({ key: 'z', ctrlKey: true });
    expect(predict.mock.calls.at(-1)![0]).toBe('strokes:1:2');
    await key({ key: 'Z', ctrlKey: true, shiftKey: true });
    expect(predict.mock.calls.at(-1)![0]).toBe('strokes:2:2,2');
    await key({ key: 'z', metaKey: true });
    await key({ key: 'Z', metaKey: true, shiftKey: true });
    expect(predict.mock.calls.at(-1)![0]).toBe('strokes:2:2,2');
    await key({ key: 'z', ctrlKey: true });
    await key({ key: 'y', ctrlKey: true });
    expect(predict.mock.calls.at(-1)![0]).toBe('strokes:2:2,2');
    const calls = predict.mock.calls.length;
    await key({ key: 'y', ctrlKey: true }); // nothing left to redo: nothing sent
    expect(predict.mock.calls.length).toBe(calls);
    await key({ key: 'Escape' }); // the canvas has the focus since drawing: clears
    expect(screen.getByTestId('prompt')).toHaveTextContent(/draw a digit/i);
    await key({ key: 'z', ctrlKey: true }); // and that clear is undone too
    expect(predict.mock.calls.at(-1)![0]).toBe('strokes:2:2,2');
  });

  it('clears with Esc only when the drawing area or the page has the focus', async () => {
    const { stroke, canvas } = renderApp({ predict: vi.fn(async () => answer(1)) });
    stroke(UPRIGHT);
    await screen.findByTestId('prediction-digit');
    screen.getByTestId('undo').focus();
    fireEvent.keyDown(screen.getByTestId('undo'), { key: 'Escape' });
    expect(screen.getByTestId('prediction-digit')).toBeInTheDocument();
    screen.getByTestId('upload').focus();
    fireEvent.keyDown(screen.getByTestId('upload'), { key: 'Escape' });
    expect(screen.getByTestId('prediction-digit')).toBeInTheDocument();

    canvas.focus();
    await act(async () => void fireEvent.keyDown(canvas, { key: 'Escape' }));
    expect(screen.getByTestId('prompt')).toHaveTextContent(/draw a digit/i);

    await act(async () => void fireEvent.keyDown(window, { key: 'z', ctrlKey: true }));
    await screen.findByTestId('prediction-digit');
    (document.activeElement as HTMLElement).blur();
    expect(document.activeElement).toBe(document.body);
    await act(async () => void fireEvent.keyDown(document.body, { key: 'Escape' }));
    expect(screen.getByTestId('prompt')).toHaveTextContent(/draw a digit/i);
  });
});

describe('App: keyboard and assistive technology', () => {
  beforeEach(() => vi.useFakeTimers({ shouldAdvanceTime: true }));
  afterEach(() => vi.useRealTimers());

  it('reaches the drawing area and the upload control by Tab on an empty canvas', async () => {
    renderApp({ predict: vi.fn(async () => answer(1)) });
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    await user.tab();
    const canvas = screen.getByRole('img', { name: /draw one digit/i });
    expect(canvas).toHaveFocus();
    expect(canvas).toHaveAccessibleDescription(/undoes.*redoes.*Escape clears.*Upload a picture/);
    // The tools are disabled on an empty canvas; then come the Digit | Number switch and Why? (issue 13), and
    // Answers from: Auto | Server (issue 11; This device is disabled where the browser cannot run the model, as here).
    for (const control of ['mode-digit', 'mode-number', 'why-toggle', 'source-auto', 'source-server']) {
      await user.tab();
      expect(screen.getByTestId(control)).toHaveFocus();
    }
    await user.tab();
    expect(screen.getByRole('button', { name: /upload a picture/i })).toHaveFocus();
  });

  it('moves the focus to the drawing area, not <body>, when Undo empties the canvas', async () => {
    const { stroke, canvas } = renderApp({ predict: vi.fn(async () => answer(1)) });
    stroke(UPRIGHT);
    await screen.findByTestId('prediction-digit');
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    screen.getByTestId('undo').focus();
    await user.keyboard('{Enter}');
    expect(screen.getByTestId('undo')).toBeDisabled();
    expect(canvas).toHaveFocus();
    expect(document.activeElement).not.toBe(document.body);
  });

  it('moves the focus to the drawing area when Retry goes away with the error', async () => {
    let down = true;
    const predict = vi.fn(async () => {
      if (down) throw new ApiError('network', 'Failed to fetch');
      return answer(3);
    });
    const { stroke, canvas } = renderApp({ predict, checkHealth: vi.fn(async () => false) });
    stroke(UPRIGHT);
    await screen.findByRole('alert');
    down = false;
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    screen.getByTestId('retry').focus();
    await user.keyboard('{Enter}');
    await screen.findByTestId('prediction-digit');
    expect(screen.queryByTestId('retry')).toBeNull();
    await act(async () => vi.advanceTimersByTimeAsync(10));
    expect(canvas).toHaveFocus();
  });

  it('sends an uploaded picture to the same API, names it and announces the answer', async () => {
    const predict = vi.fn(async (_image: string) => answer(1));
    const predictFile = vi.fn(async (_file: Blob, _signal: AbortSignal) => answer(7, 0.93));
    const { stroke } = renderApp({ predict, predictFile });
    stroke(UPRIGHT);
    await screen.findByTestId('prediction-digit');
    const file = new File([new Uint8Array([1, 2, 3])], 'seven.png', { type: 'image/png' });
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    await user.upload(screen.getByTestId('upload-input'), file);
    expect(predictFile).toHaveBeenCalledTimes(1);
    expect(predictFile.mock.calls[0]![0]).toBe(file);
    expect(await screen.findByTestId('upload-source')).toHaveTextContent('seven.png');
    expect(screen.getByTestId('prediction-digit')).toHaveTextContent('7');
    expect(screen.getByTestId('announcement')).toHaveTextContent('7, 93 percent');
    expect(screen.getByTestId('clear')).toBeEnabled();

    // The drawing was cleared as an undoable step: Undo brings it back, and the answer is about it again.
    await act(async () => fireEvent.click(screen.getByTestId('undo')));
    expect(predict.mock.calls.at(-1)![0]).toBe('strokes:1:2');
    await screen.findByText('1', { selector: '[data-testid="prediction-digit"]' });
    expect(screen.queryByTestId('upload-source')).toBeNull();
  });

  it('takes a picture dropped on the page', async () => {
    const predictFile = vi.fn(async (_file: Blob, _signal: AbortSignal) => answer(2));
    const { container } = renderApp({ predict: vi.fn(async () => answer(1)), predictFile });
    const file = new File(['png'], 'two.png', { type: 'image/png' });
    const page = container.querySelector('.page')!;
    const dataTransfer = { types: ['Files'], files: [file], dropEffect: 'none' };
    fireEvent.dragEnter(page, { dataTransfer });
    expect(screen.getByTestId('drop-hint')).toBeInTheDocument();
    fireEvent.dragOver(page, { dataTransfer });
    await act(async () => void fireEvent.drop(page, { dataTransfer }));
    expect(screen.queryByTestId('drop-hint')).toBeNull();
    expect(predictFile.mock.calls[0]![0]).toBe(file);
    expect(await screen.findByTestId('prediction-digit')).toHaveTextContent('2');
  });

  it('turns down a file that is not a picture, in plain words, without sending it or clearing', async () => {
    const predictFile = vi.fn(async () => answer(2));
    const { stroke } = renderApp({ predict: vi.fn(async () => answer(1)), predictFile });
    stroke(UPRIGHT);
    await screen.findByTestId('prediction-digit');
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime, applyAccept: false });
    await user.upload(screen.getByTestId('upload-input'), new File(['hi'], 'notes.txt', { type: 'text/plain' }));
    expect(predictFile).not.toHaveBeenCalled();
    expect(screen.getByRole('alert')).toHaveTextContent(MESSAGES.notAPicture);
    expect(screen.getByTestId('undo')).toBeEnabled();
    expect(screen.getByTestId('prediction-digit')).toHaveTextContent('1');
  });
});

describe('App: recovery', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('polls /health with backoff while the server is down, and retries by itself once it is back', async () => {
    let up = false;
    const predict = vi.fn(async (_image: string) => {
      if (!up) throw new ApiError('network', 'Failed to fetch');
      return answer(0);
    });
    const checkHealth = vi.fn(async () => up);
    const { stroke } = renderApp({ predict, checkHealth });
    stroke([
      [140, 30],
      [40, 140],
      [140, 250],
    ]);
    await advance(0);
    expect(screen.getByRole('alert')).toHaveTextContent(/can’t reach/i);
    expect(screen.getByTestId('retry-status')).toHaveTextContent('Trying again in 2 s.');
    const sent = predict.mock.calls.length;

    await advance(2000);
    expect(checkHealth).toHaveBeenCalledTimes(1); // still down: no /predict, wait longer
    expect(predict.mock.calls.length).toBe(sent);
    expect(screen.getByTestId('retry-status')).toHaveTextContent('Trying again in 4 s.');
    await advance(3999);
    expect(checkHealth).toHaveBeenCalledTimes(1);
    await advance(1);
    expect(checkHealth).toHaveBeenCalledTimes(2);

    up = true;
    await advance(8000);
    expect(checkHealth).toHaveBeenCalledTimes(3);
    expect(predict.mock.calls.length).toBe(sent + 1);
    expect(predict.mock.calls.at(-1)![0]).toBe('strokes:1:3');
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.getByTestId('prediction-digit')).toHaveTextContent('0');
    expect(screen.getByTestId('announcement')).toHaveTextContent('0, 97 percent');
    await advance(60_000);
    expect(checkHealth).toHaveBeenCalledTimes(3); // no more polling once it works
  });

  it('honours Retry-After: nothing is sent before it, drawing included, then the newest drawing goes', async () => {
    let busy = true;
    const predict = vi.fn(async (_image: string) => {
      if (busy) throw new ApiError('model_unavailable', 'The model is still loading.', 503, 5000);
      return answer(1);
    });
    const checkHealth = vi.fn(async () => true);
    const { stroke } = renderApp({ predict, checkHealth });
    stroke(UPRIGHT);
    await advance(0);
    expect(screen.getByRole('alert')).toHaveTextContent('The model is still loading.');
    expect(screen.getByTestId('retry-status')).toHaveTextContent('Trying again in 5 s.');
    const sent = predict.mock.calls.length;
    await advance(1000);
    stroke(CROSSBAR);
    await advance(3900);
    expect(predict.mock.calls.length).toBe(sent); // held, even for the new stroke
    busy = false;
    await advance(100);
    expect(predict.mock.calls.length).toBe(sent + 1);
    expect(predict.mock.calls.at(-1)![0]).toBe('strokes:2:2,2');
    expect(checkHealth).not.toHaveBeenCalled(); // the server said when: no need to ask
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('still sends what is drawn after a clear during a Retry-After wait, once the wait is over', async () => {
    let busy = true;
    const predict = vi.fn(async (_image: string) => {
      if (busy) throw new ApiError('http_429', 'The server answered 429 Too Many Requests', 429, 3000);
      return answer(1);
    });
    const { stroke } = renderApp({ predict });
    stroke(UPRIGHT);
    await advance(0);
    expect(screen.getByRole('alert')).toHaveTextContent(MESSAGES.busy);
    busy = false;
    const sent = predict.mock.calls.length;
    await act(async () => void fireEvent.click(screen.getByTestId('clear')));
    expect(screen.queryByRole('alert')).toBeNull();
    stroke(CROSSBAR);
    await advance(2000);
    expect(predict.mock.calls.length).toBe(sent); // still held
    await advance(1000);
    expect(predict.mock.calls.length).toBe(sent + 1);
    expect(predict.mock.calls.at(-1)![0]).toBe('strokes:1:2');
    expect(screen.getByTestId('prediction-digit')).toHaveTextContent('1');
  });

  it('words a bare 502 plainly and keeps no "draw more" hint beside it', async () => {
    const predict = vi.fn(async () => {
      throw new ApiError('http_502', 'The server answered 502 Bad Gateway', 502);
    });
    const { stroke } = renderApp({ predict });
    stroke(UPRIGHT);
    await advance(0);
    const alert = screen.getByRole('alert');
    expect(alert).toHaveTextContent(MESSAGES.restarting);
    expect(alert).not.toHaveTextContent(/502|Bad Gateway/);
    expect(screen.getByTestId('prompt')).not.toHaveTextContent(/draw a little more/i);
  });

  it('does not retry by itself what waiting cannot fix', async () => {
    const predict = vi.fn(async () => {
      throw new ApiError('invalid_image', 'The data is not a PNG image.', 400);
    });
    const checkHealth = vi.fn(async () => true);
    const { stroke } = renderApp({ predict, checkHealth });
    stroke(UPRIGHT);
    await advance(0);
    const sent = predict.mock.calls.length;
    expect(screen.getByRole('alert')).toHaveTextContent(MESSAGES.unreadable);
    await advance(120_000);
    expect(predict.mock.calls.length).toBe(sent);
    expect(checkHealth).not.toHaveBeenCalled();
  });

  it('counts a request without an answer for 20 s as failed, and retries it', async () => {
    let hang = true;
    const predict = vi.fn((_image: string, _signal: AbortSignal) =>
      hang ? new Promise<Prediction>(() => undefined) : Promise.resolve(answer(5)),
    );
    const { stroke } = renderApp({ predict });
    stroke(UPRIGHT);
    await advance(20_000);
    expect(screen.getByRole('alert')).toHaveTextContent(MESSAGES.timeout);
    expect(predict.mock.calls.at(-1)![1].aborted).toBe(true);
    hang = false;
    await advance(2000);
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.getByTestId('prediction-digit')).toHaveTextContent('5');
  });
});
