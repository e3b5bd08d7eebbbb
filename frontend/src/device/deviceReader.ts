/**
 * The app's side of the on-device reader: a `/predict`-like function answered by the Web Worker (inference.worker.ts).
 * Nothing is loaded until it is first used: the worker, ONNX Runtime's WebAssembly and the model come then.
 */
import { ApiError, type Prediction } from '../api';
import type { ImageInput, WorkerMessage, WorkerReply, WorkerRequest } from './protocol';

export interface DeviceReader {
  /** Can this browser run it at all (Web Workers and WebAssembly)? */
  readonly available: boolean;
  /** Read a picture on this device: the same answer as `/predict` (without `explanation`). */
  predict(image: ImageInput, signal?: AbortSignal): Promise<Prediction>;
  /** Start loading the runtime and the model now; resolves with the model's version. */
  warm(): Promise<string>;
}

export const DEVICE_FAILED = 'device_failed';

const canRun = () => typeof Worker !== 'undefined' && typeof WebAssembly !== 'undefined';

/** The worker, bundled by Vite (the `new URL(..., import.meta.url)` form is what it recognises). */
const startWorker = () =>
  new Worker(new URL('./inference.worker.ts', import.meta.url), { type: 'module', name: 'digits-device' });

const abortError = () => new DOMException('The request was aborted.', 'AbortError');

export function createDeviceReader(makeWorker: () => Worker = startWorker, available = canRun()): DeviceReader {
  let worker: Worker | null = null;
  let nextId = 0;
  const waiting = new Map<number, (reply: WorkerReply) => void>();

  const connect = (): Worker => {
    if (worker) return worker;
    const started = makeWorker();
    started.onmessage = (event: MessageEvent<WorkerReply>) => {
      const settle = waiting.get(event.data.id);
      waiting.delete(event.data.id);
      settle?.(event.data);
    };
    started.onerror = (event) => {
      // The worker's script itself failed (it could not be fetched or parsed): every pending request fails, and
      // the next one starts a new worker.
      event.preventDefault();
      const message = event.message || 'The on-device reader could not start.';
      for (const [id, settle] of waiting) settle({ id, ok: false, code: 'device_failed', message });
      waiting.clear();
      started.terminate();
      if (worker === started) worker = null;
    };
    worker = started;
    return started;
  };

  const send = (request: WorkerMessage, signal?: AbortSignal) =>
    new Promise<Extract<WorkerReply, { ok: true }>>((resolve, reject) => {
      if (!available) {
        reject(new ApiError(DEVICE_FAILED, 'This browser cannot run the model itself.'));
        return;
      }
      if (signal?.aborted) {
        reject(abortError());
        return;
      }
      const id = ++nextId;
      const onAbort = () => {
        waiting.delete(id);
        reject(abortError());
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      waiting.set(id, (reply) => {
        signal?.removeEventListener('abort', onAbort);
        if (reply.ok) resolve(reply);
        else if (reply.code === 'empty_canvas') reject(new ApiError('empty_canvas', reply.message, 422));
        else if (reply.code === 'too_large') reject(new ApiError('image_too_large', reply.message, 413));
        else reject(new ApiError(DEVICE_FAILED, reply.message));
      });
      try {
        connect().postMessage({ ...request, id } satisfies WorkerRequest);
      } catch (error) {
        waiting.delete(id);
        reject(new ApiError(DEVICE_FAILED, String(error))); // e.g. a picture that cannot be sent to a worker
      }
    });

  return {
    available,
    async predict(image, signal) {
      const reply = await send({ type: 'predict', image }, signal);
      if (!reply.prediction) throw new ApiError(DEVICE_FAILED, 'The on-device reader sent no answer.');
      return { ...reply.prediction, answeredBy: 'device' };
    },
    async warm() {
      return (await send({ type: 'load' })).version;
    },
  };
}
