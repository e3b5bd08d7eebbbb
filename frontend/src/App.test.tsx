import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, type Prediction } from './api';
import { deferred } from './test/deferred';
import { CROSSBAR, UPRIGHT, answer, renderApp, renderWithFour } from './test/renderApp';

describe('App', () => {
  beforeEach(() => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('prompts to draw and sends nothing while the canvas is empty', async () => {
    const predict = vi.fn(async () => answer(1));
    renderApp({ predict, card: { version: 'cnn-42', test_accuracy: 0.9931, params: 1234 } });
    expect(screen.getByTestId('prompt')).toHaveTextContent(/draw a digit/i);
    expect(screen.getByTestId('predict')).toBeDisabled();
    expect(screen.getByTestId('undo')).toBeDisabled();
    expect(screen.getByTestId('clear')).toBeDisabled();
    fireEvent.keyDown(window, { key: 'Escape' });
    fireEvent.keyDown(window, { key: 'z', ctrlKey: true });
    await act(async () => vi.advanceTimersByTimeAsync(1000));
    expect(predict).not.toHaveBeenCalled();
    expect(await screen.findByTestId('model-card')).toHaveTextContent('cnn-42 · 99.31% test accuracy');
  });

  it('predicts at the end of a stroke and shows the digit, confidence, bars and preview', async () => {
    const predict = vi.fn(async () => answer(7));
    const { stroke } = renderApp({ predict });
    stroke([
      [40, 40],
      [240, 40],
      [120, 250],
    ]);
    expect(await screen.findByTestId('prediction-digit')).toHaveTextContent('7');
    expect(screen.getByTestId('confidence')).toHaveTextContent('97.0%');
    expect(screen.getByTestId('prob-7')).toHaveAttribute('aria-valuenow', '97');
    expect(screen.getByTestId('model-input')).toHaveAttribute('src', 'data:image/png;base64,SEEN7');
    const last = predict.mock.calls.at(-1) as unknown as [string, AbortSignal];
    expect(last[0]).toBe('strokes:1:3');
  });

  it('predicts while drawing, throttled to about every 200 ms', async () => {
    // Only the fake clock moves here: with shouldAdvanceTime, a loaded machine added real time and requests.
    vi.useFakeTimers();
    const predict = vi.fn(async () => answer(1));
    const { down, move, up } = renderApp({ predict });
    const pointer = down(140, 20);
    for (let i = 1; i <= 60; i++) {
      move(pointer, 140, 20 + i * 4);
      await act(async () => vi.advanceTimersByTimeAsync(16)); // ~60 fps for ~1 s
    }
    const during = predict.mock.calls.length;
    expect(during).toBeGreaterThanOrEqual(4);
    expect(during).toBeLessThanOrEqual(7);
    up(pointer, 140, 260);
    expect(predict.mock.calls.length).toBe(during + 1); // once more, at once, at the stroke end
    vi.useFakeTimers({ shouldAdvanceTime: true }); // findBy* polls with timers
    expect(await screen.findByTestId('prediction-digit')).toHaveTextContent('1');
  });

  it('sends nothing for the pen-down dot: the first request waits until the stroke has some extent', async () => {
    const predict = vi.fn(async (_image: string) => answer(1));
    const { down, move } = renderApp({ predict });
    const pointer = down(140, 100);
    await act(async () => vi.advanceTimersByTimeAsync(1000));
    expect(predict).not.toHaveBeenCalled();
    expect(screen.getByTestId('prompt')).toHaveTextContent(/draw a little more/i);
    expect(screen.queryByTestId('prediction-digit')).toBeNull();
    move(pointer, 140, 105); // 5 px of 280: still a touch
    await act(async () => vi.advanceTimersByTimeAsync(500));
    expect(predict).not.toHaveBeenCalled();
    move(pointer, 140, 115); // 15 px of 280 > 0.04 of the side: worth asking
    expect(predict).toHaveBeenCalledTimes(1);
    expect(predict.mock.calls[0]![0]).toBe('strokes:1:3');
    expect(await screen.findByTestId('prediction-digit')).toHaveTextContent('1');
  });

  it('sends a tap on its own once, at pointer-up, and shows the server\'s "not a digit"', async () => {
    const predict = vi.fn(async (_image: string) => ({
      ...answer(0, 0.3),
      verdict: 'not_a_digit' as const,
      reason: 'This does not look like a digit.',
      alternatives: [0, 8],
    }));
    const { stroke } = renderApp({ predict });
    stroke([[100, 100]]);
    expect(predict).toHaveBeenCalledTimes(1);
    expect(predict.mock.calls[0]![0]).toBe('strokes:1:1');
    expect(await screen.findByTestId('verdict-not-a-digit')).toHaveTextContent('Not a digit?');
    expect(screen.getByTestId('verdict')).toHaveAttribute('data-verdict', 'not_a_digit');
    expect(screen.getByTestId('verdict-reason')).toHaveTextContent('This does not look like a digit.');
    expect(screen.queryByTestId('prediction-digit')).toBeNull();
    expect(screen.getByTestId('prob-0')).toHaveAttribute('aria-valuenow', '30'); // the bars stay
    await act(async () => vi.advanceTimersByTimeAsync(1000));
    expect(predict).toHaveBeenCalledTimes(1);
  });

  it('shows an unsure answer as its two candidates, with the bars', async () => {
    const predict = vi.fn(async () => ({
      ...answer(4, 0.41),
      verdict: 'unsure' as const,
      reason: 'It could be a 4 or a 9.',
      alternatives: [4, 9],
    }));
    const { stroke } = renderApp({ predict });
    stroke([
      [60, 20],
      [60, 160],
      [200, 160],
    ]);
    expect(await screen.findByTestId('verdict-unsure')).toHaveTextContent('Not sure: 4 or 9?');
    expect(screen.getByTestId('prediction-digit')).toHaveTextContent('4');
    expect(screen.getByTestId('prob-4')).toHaveAttribute('aria-valuenow', '41');
    expect(screen.queryByTestId('low-confidence')).toBeNull();
  });

  it('lets the latest request win: a slow stale answer never overwrites a newer one', async () => {
    const slow = deferred<Prediction>();
    const fast = deferred<Prediction>();
    const signals: AbortSignal[] = [];
    const predict = vi
      .fn<(image: string, signal: AbortSignal) => Promise<Prediction>>()
      .mockImplementationOnce((_i, signal) => {
        signals.push(signal);
        return slow.promise;
      })
      .mockImplementationOnce((_i, signal) => {
        signals.push(signal);
        return fast.promise;
      });
    const { down, up } = renderApp({ predict });
    const pointer = down(50, 50); // request 1 (leading)
    up(pointer, 200, 200); // request 2, at the stroke end
    expect(predict).toHaveBeenCalledTimes(2);
    expect(signals[0]!.aborted).toBe(true);
    await act(async () => fast.resolve(answer(3)));
    expect(await screen.findByTestId('prediction-digit')).toHaveTextContent('3');
    await act(async () => slow.resolve(answer(8)));
    expect(screen.getByTestId('prediction-digit')).toHaveTextContent('3');
  });

  it('undo and clear work by button and keyboard, and re-predict', async () => {
    const { stroke, predict } = await renderWithFour();

    await act(async () => {
      fireEvent.click(screen.getByTestId('undo'));
    });
    expect(predict.mock.calls.at(-1)![0]).toBe('strokes:1:2');
    await waitFor(() => expect(screen.getByTestId('prediction-digit')).toHaveTextContent('1'));

    stroke(CROSSBAR);
    await waitFor(() => expect(screen.getByTestId('prediction-digit')).toHaveTextContent('4'));
    await act(async () => {
      fireEvent.keyDown(window, { key: 'z', ctrlKey: true });
    });
    await waitFor(() => expect(screen.getByTestId('prediction-digit')).toHaveTextContent('1'));
    await act(async () => {
      fireEvent.keyDown(window, { key: 'Z', metaKey: true });
    });
    expect(screen.getByTestId('prompt')).toBeInTheDocument();
    expect(screen.getByTestId('prob-1')).toHaveAttribute('aria-valuenow', '0');

    stroke(UPRIGHT);
    await screen.findByTestId('prediction-digit');
    const calls = predict.mock.calls.length;
    await act(async () => {
      fireEvent.keyDown(window, { key: 'Escape' });
    });
    expect(screen.getByTestId('prompt')).toHaveTextContent(/draw a digit/i);
    stroke(UPRIGHT);
    await screen.findByTestId('prediction-digit');
    await act(async () => {
      fireEvent.click(screen.getByTestId('clear'));
    });
    expect(screen.queryByTestId('prediction-digit')).toBeNull();
    expect(screen.getByTestId('clear')).toBeDisabled();
    expect(predict.mock.calls.length).toBe(calls + 1); // clearing sends nothing
  });

  it('shows a non-blocking error with Retry when the API is down, and keeps the drawing', async () => {
    let down = true;
    const predict = vi.fn(async (_image: string) => {
      if (down) throw new ApiError('network', 'Can’t reach the recognizer. Is the server running?');
      return answer(0);
    });
    // The server is down, and /health says so.
    const { stroke } = renderApp({ predict, checkHealth: vi.fn(async () => false) });
    stroke([
      [140, 30],
      [40, 140],
      [140, 250],
      [240, 140],
      [140, 30],
    ]);
    expect(await screen.findByRole('alert')).toHaveTextContent(/can’t reach/i);
    expect(screen.getByTestId('undo')).toBeEnabled(); // the drawing is still there
    expect(screen.getByTestId('predict')).toBeEnabled();
    down = false;
    await userEvent
      .setup({ advanceTimers: vi.advanceTimersByTime })
      .click(screen.getByRole('button', { name: 'Retry' }));
    expect(await screen.findByTestId('prediction-digit')).toHaveTextContent('0');
    expect(screen.queryByRole('alert')).toBeNull();
    expect(predict.mock.calls.at(-1)![0]).toBe('strokes:1:5');
  });

  it('the Predict button asks again for the current drawing', async () => {
    const predict = vi.fn(async () => answer(2));
    const { stroke } = renderApp({ predict });
    stroke([
      [40, 60],
      [200, 60],
    ]);
    await screen.findByTestId('prediction-digit');
    const before = predict.mock.calls.length;
    await userEvent
      .setup({ advanceTimers: vi.advanceTimersByTime })
      .click(screen.getByRole('button', { name: 'Predict the digit' }));
    expect(predict.mock.calls.length).toBe(before + 1);
  });

  it('treats a server "empty_canvas" answer as nothing drawn, not as an error', async () => {
    const predict = vi.fn(async () => {
      throw new ApiError('empty_canvas', 'Nothing is drawn.', 422);
    });
    const { stroke } = renderApp({ predict });
    stroke([[100, 100]]);
    await act(async () => vi.advanceTimersByTimeAsync(50));
    expect(screen.queryByRole('alert')).toBeNull();
    expect(screen.queryByTestId('prediction-digit')).toBeNull();
  });

  it('labels every button for screen readers and reaches them by keyboard', async () => {
    const { stroke } = renderApp({ predict: vi.fn(async () => answer(1)) });
    stroke(UPRIGHT);
    await screen.findByTestId('prediction-digit');
    const user = userEvent.setup({ advanceTimers: vi.advanceTimersByTime });
    for (const name of ['Undo last stroke', 'Clear the drawing', 'Predict the digit']) {
      await user.tab();
      expect(screen.getByRole('button', { name })).toHaveFocus();
    }
    await user.keyboard('{Shift>}{Tab}{Tab}{/Shift}{Enter}'); // Undo, by keyboard
    expect(screen.getByTestId('prompt')).toBeInTheDocument();
  });
});
