import { describe, expect, it, vi } from 'vitest';
import { ApiError } from '../api';
import { answer } from '../test/renderApp';
import { createDeviceReader } from './deviceReader';
import type { WorkerReply, WorkerRequest } from './protocol';

/** A stand-in for the inference worker: `respond` decides each reply (or none). */
function fakeWorker(respond: (request: WorkerRequest) => WorkerReply | null) {
  const sent: WorkerRequest[] = [];
  const worker = {
    onmessage: null as ((event: MessageEvent<WorkerReply>) => void) | null,
    onerror: null as ((event: ErrorEvent) => void) | null,
    terminate: vi.fn(),
    postMessage(request: WorkerRequest) {
      sent.push(request);
      const reply = respond(request);
      if (reply) queueMicrotask(() => worker.onmessage?.({ data: reply } as MessageEvent<WorkerReply>));
    },
  };
  return { worker, sent, make: vi.fn(() => worker as unknown as Worker) };
}

const prediction = { ...answer(7), verdict: 'digit' as const, reason: 'Looks like a 7.', alternatives: [7, 1] };

describe('createDeviceReader', () => {
  it('starts no worker until it is used, then one for every request', async () => {
    const fake = fakeWorker((r) => ({ id: r.id, ok: true, version: 'cnn-1', prediction }));
    const reader = createDeviceReader(fake.make, true);
    expect(fake.make).not.toHaveBeenCalled();
    const first = await reader.predict('data:image/png;base64,AAAA');
    await reader.predict('data:image/png;base64,BBBB');
    expect(fake.make).toHaveBeenCalledTimes(1);
    expect(first).toEqual({ ...prediction, answeredBy: 'device' });
    expect(fake.sent.map((r) => r.type)).toEqual(['predict', 'predict']);
    expect(new Set(fake.sent.map((r) => r.id)).size).toBe(2);
    expect(await reader.warm()).toBe('cnn-1');
  });

  it('turns the worker’s failures into the API’s errors', async () => {
    const codes = ['empty_canvas', 'too_large', 'device_failed'] as const;
    let next = 0;
    const fake = fakeWorker((r) => ({ id: r.id, ok: false, code: codes[next++]!, message: 'why' }));
    const reader = createDeviceReader(fake.make, true);
    await expect(reader.predict('x')).rejects.toMatchObject({ code: 'empty_canvas', status: 422 });
    await expect(reader.predict('x')).rejects.toMatchObject({ code: 'image_too_large', status: 413 });
    await expect(reader.predict('x')).rejects.toMatchObject({ code: 'device_failed', message: 'why' });
  });

  it('an aborted request rejects as aborted, and its late answer is dropped', async () => {
    const fake = fakeWorker(() => null);
    const reader = createDeviceReader(fake.make, true);
    const controller = new AbortController();
    const pending = reader.predict('x', controller.signal);
    controller.abort();
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
    const late: WorkerReply = { id: fake.sent[0]!.id, ok: true, version: 'v', prediction };
    expect(() => fake.worker.onmessage?.({ data: late } as MessageEvent<WorkerReply>)).not.toThrow();
  });

  it('a worker that cannot start fails what waits on it, and the next request starts a new one', async () => {
    let broken = true;
    const fake = fakeWorker((r) => (broken ? null : { id: r.id, ok: true, version: 'v', prediction }));
    const reader = createDeviceReader(fake.make, true);
    const pending = reader.predict('x');
    fake.worker.onerror?.({ message: 'Failed to fetch the script', preventDefault: () => undefined } as ErrorEvent);
    await expect(pending).rejects.toEqual(new ApiError('device_failed', 'Failed to fetch the script'));
    expect(fake.worker.terminate).toHaveBeenCalled();
    broken = false;
    await expect(reader.predict('x')).resolves.toMatchObject({ digit: 7 });
    expect(fake.make).toHaveBeenCalledTimes(2);
  });

  it('in a browser that cannot run it, fails at once and starts nothing', async () => {
    const fake = fakeWorker(() => null);
    const reader = createDeviceReader(fake.make, false);
    expect(reader.available).toBe(false);
    await expect(reader.predict('x')).rejects.toMatchObject({ code: 'device_failed' });
    expect(fake.make).not.toHaveBeenCalled();
  });
});
