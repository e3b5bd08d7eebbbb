import { act, fireEvent, screen } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, type Prediction } from './api';
import type { DeviceReader } from './device/deviceReader';
import { MESSAGES } from './failure';
import type { NumberReading } from './reading';
import { CROSSBAR, UPRIGHT, answer, renderApp } from './test/renderApp';

/** An on-device reader that answers `digit` (or fails with `error`), counting its calls. */
function fakeDevice({
  digit = 7,
  available = true,
  error,
}: { digit?: number; available?: boolean; error?: Error } = {}) {
  const predict = vi.fn(async (_image: unknown, _signal?: AbortSignal): Promise<Prediction> => {
    if (error) throw error;
    return { ...answer(digit, 0.91), model: 'cnn-device' };
  });
  const warm = vi.fn(async () => 'cnn-device');
  return { available, predict, warm } satisfies DeviceReader;
}

const unreachable = () => new ApiError('network', 'Failed to fetch');
const advance = (ms: number) => act(async () => vi.advanceTimersByTimeAsync(ms));

/** Where the shown answer came from ('server' or 'device'), and the notice line. */
const answeredBy = () => screen.getByTestId('answered-by').getAttribute('data-source');
const notice = () => screen.getByTestId('source-notice');

describe('where answers come from', () => {
  beforeEach(() => vi.useFakeTimers({ shouldAdvanceTime: true }));
  afterEach(() => {
    vi.useRealTimers();
    localStorage.clear();
  });

  it('asks the server by default (Auto) and says so', async () => {
    const device = fakeDevice();
    const predict = vi.fn(async () => answer(4));
    const { stroke } = renderApp({ predict, device });
    expect(screen.getByTestId('source-auto')).toHaveAttribute('aria-pressed', 'true');
    stroke(UPRIGHT);
    expect(await screen.findByTestId('prediction-digit')).toHaveTextContent('4');
    expect(answeredBy()).toBe('server');
    expect(screen.getByTestId('answered-by')).toHaveTextContent('Answered by the server');
    expect(device.predict).not.toHaveBeenCalled();
    expect(device.warm).not.toHaveBeenCalled(); // nothing of the device is loaded unless it is needed
    expect(notice()).not.toBeVisible();
  });

  it('answers on this device when chosen, loads it at once, and keeps the choice in this browser', async () => {
    const device = fakeDevice({ digit: 7 });
    const predict = vi.fn(async () => answer(1));
    const { stroke, unmount } = renderApp({ predict, device });
    fireEvent.click(screen.getByTestId('source-device'));
    expect(device.warm).toHaveBeenCalledTimes(1);
    expect(screen.getByTestId('source-device')).toHaveAttribute('aria-pressed', 'true');
    stroke(UPRIGHT);
    expect(await screen.findByTestId('prediction-digit')).toHaveTextContent('7');
    expect(answeredBy()).toBe('device');
    expect(screen.getByTestId('answered-by')).toHaveTextContent('Answered by this device');
    expect(predict).not.toHaveBeenCalled();
    expect(device.predict.mock.calls[0]![0]).toBe('strokes:1:2'); // the very picture the server would get
    unmount();

    renderApp({ predict, device });
    expect(screen.getByTestId('source-device')).toHaveAttribute('aria-pressed', 'true');
  });

  it('Auto: answers on this device at once while the server is unreachable, back to it when it answers', async () => {
    let up = false;
    const predict = vi.fn(async () => {
      if (!up) throw unreachable();
      return answer(4);
    });
    const checkHealth = vi.fn(async () => up);
    const device = fakeDevice({ digit: 1 });
    const { stroke } = renderApp({ predict, device, checkHealth });

    stroke(UPRIGHT);
    expect(await screen.findByTestId('prediction-digit')).toHaveTextContent('1');
    expect(answeredBy()).toBe('device');
    expect(screen.queryByRole('alert')).toBeNull(); // answered, not failed
    expect(notice()).toHaveTextContent('Can’t reach the server: answering on this device.');
    expect(screen.getByTestId('source-auto')).toHaveAttribute('aria-pressed', 'true'); // still Auto
    const asked = predict.mock.calls.length;

    stroke(CROSSBAR); // while it is away, straight to the device
    await advance(0);
    expect(predict.mock.calls.length).toBe(asked);
    expect(device.predict).toHaveBeenCalledTimes(2);

    await advance(2000); // the first look at /health: still down
    expect(checkHealth).toHaveBeenCalledTimes(1);
    up = true;
    await advance(4000);
    expect(checkHealth).toHaveBeenCalledTimes(2);
    expect(notice()).toHaveTextContent('The server answers again: back to the server.');

    fireEvent.click(screen.getByTestId('clear'));
    stroke(UPRIGHT);
    await advance(0);
    expect(await screen.findByTestId('prediction-digit')).toHaveTextContent('4');
    expect(answeredBy()).toBe('server');
    await advance(60_000);
    expect(checkHealth).toHaveBeenCalledTimes(2); // no more polling once it answers
  });

  it('asks /health at once when the browser comes back online', async () => {
    let up = false;
    const predict = vi.fn(async () => {
      if (!up) throw unreachable();
      return answer(4);
    });
    const checkHealth = vi.fn(async () => up);
    const { stroke } = renderApp({ predict, device: fakeDevice(), checkHealth });
    stroke(UPRIGHT);
    await screen.findByTestId('prediction-digit');
    up = true;
    await advance(0); // the effects of the answer have run
    await act(async () => window.dispatchEvent(new Event('online')));
    expect(checkHealth).toHaveBeenCalledTimes(1);
    expect(notice()).toHaveTextContent(/server answers again/);
  });

  it('Auto on a static host (a plain 404, no API): this device, no polling for a server not there', async () => {
    const predict = vi.fn(async () => {
      throw new ApiError('http_404', 'The server answered 404 Not Found', 404);
    });
    const checkHealth = vi.fn(async () => false);
    const device = fakeDevice({ digit: 3 });
    const { stroke } = renderApp({ predict, device, checkHealth });
    stroke(UPRIGHT);
    expect(await screen.findByTestId('prediction-digit')).toHaveTextContent('3');
    expect(answeredBy()).toBe('device');
    expect(notice()).toHaveTextContent('No server here: answering on this device.');
    await advance(60_000);
    expect(checkHealth).not.toHaveBeenCalled();
  });

  it('Server: an unreachable server is a failure as before, never a device answer', async () => {
    const predict = vi.fn(async () => {
      throw unreachable();
    });
    const device = fakeDevice();
    const { stroke } = renderApp({ predict, device, checkHealth: vi.fn(async () => false) });
    fireEvent.click(screen.getByTestId('source-server'));
    stroke(UPRIGHT);
    expect(await screen.findByRole('alert')).toHaveTextContent(MESSAGES.unreachable);
    expect(device.predict).not.toHaveBeenCalled();
  });

  it('a server that answers with its own error is there: the error shows, no fallback', async () => {
    const predict = vi.fn(async () => {
      throw new ApiError('invalid_image', 'Not a picture', 400);
    });
    const device = fakeDevice();
    const { stroke } = renderApp({ predict, device });
    stroke(UPRIGHT);
    expect(await screen.findByRole('alert')).toHaveTextContent(MESSAGES.unreadable);
    expect(device.predict).not.toHaveBeenCalled();
  });

  it('without a device that can answer, Auto fails as before when the server is away', async () => {
    const predict = vi.fn(async () => {
      throw unreachable();
    });
    const device = fakeDevice({ available: false });
    const { stroke } = renderApp({ predict, device, checkHealth: vi.fn(async () => false) });
    expect(screen.getByTestId('source-device')).toBeDisabled();
    stroke(UPRIGHT);
    expect(await screen.findByRole('alert')).toHaveTextContent(MESSAGES.unreachable);
    expect(device.predict).not.toHaveBeenCalled();
  });

  it('a failing device: its own message when chosen; the server’s failure when only the fallback', async () => {
    const broken = fakeDevice({ error: new ApiError('device_failed', 'no WebAssembly') });
    const predict = vi.fn(async () => {
      throw unreachable();
    });
    const { stroke } = renderApp({ predict, device: broken, checkHealth: vi.fn(async () => false) });
    stroke(UPRIGHT);
    expect(await screen.findByRole('alert')).toHaveTextContent(MESSAGES.unreachable);
    expect(broken.predict).toHaveBeenCalledTimes(1);

    fireEvent.click(screen.getByTestId('source-device'));
    fireEvent.click(screen.getByTestId('predict'));
    await advance(0);
    expect(await screen.findByRole('alert')).toHaveTextContent(MESSAGES.device);
  });

  it('a drawing the device finds empty shows the prompt, as the server’s empty_canvas does', async () => {
    const device = fakeDevice({ error: new ApiError('empty_canvas', 'Nothing drawn', 422) });
    const { stroke } = renderApp({ predict: vi.fn(async () => answer(1)), device });
    fireEvent.click(screen.getByTestId('source-device'));
    stroke(UPRIGHT);
    await advance(0);
    expect(await screen.findByTestId('prompt')).toBeInTheDocument();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('says what needs the server while it is away: corrections and sharing, and reading a number', async () => {
    const predict = vi.fn(async () => {
      throw unreachable();
    });
    const readNumber = vi.fn(async (): Promise<NumberReading> => {
      throw unreachable();
    });
    const { stroke } = renderApp({ predict, readNumber, device: fakeDevice(), checkHealth: vi.fn(async () => false) });
    stroke(UPRIGHT);
    await screen.findByTestId('prediction-digit');
    expect(notice()).toHaveTextContent('Corrections and sharing are saved on the server: they need it back.');
    fireEvent.click(screen.getByTestId('mode-number'));
    expect(screen.getByTestId('number-needs-server')).toHaveTextContent(
      'Reading a whole number needs the server, which can’t be reached now.',
    );
  });
});
