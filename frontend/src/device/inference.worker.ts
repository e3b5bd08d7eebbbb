/**
 * The on-device reader: ONNX Runtime Web (its WebAssembly build, one thread) runs the server's own ONNX model in this
 * Web Worker, so drawing never waits on it. A picture goes through the same steps as on the server: the TypeScript
 * port of `prepare()`, the model, then the card's temperature and verdict thresholds.
 *
 * The runtime and the model are loaded on the first message, once; a failed load is tried again on the next one.
 */
import * as ort from 'onnxruntime-web/wasm';
import wasmUrl from 'onnxruntime-web/ort-wasm-simd-threaded.wasm?url';
import { calibrationOf, loadModelFiles, type DeviceCard } from './modelFiles';
import { decodePixels, fieldToPng } from './pixels';
import { EmptyCanvasError, PictureTooLargeError, prepareRgba } from './preprocess';
import type { FailureCode, ImageInput, WorkerReply, WorkerRequest } from './protocol';
import { answer } from './verdict';

// The .wasm file Vite copied into the build (never a CDN). One thread: no SharedArrayBuffer, so no cross-origin
// isolation headers are needed, and one 28x28 picture gains nothing from more.
ort.env.wasm.wasmPaths = { wasm: new URL(wasmUrl, self.location.href).href };
ort.env.wasm.numThreads = 1;
ort.env.wasm.proxy = false;
ort.env.logLevel = 'error';

interface Loaded {
  session: ort.InferenceSession;
  input: string;
  output: string;
  card: DeviceCard;
  version: string;
}

let loading: Promise<Loaded> | null = null;

function load(): Promise<Loaded> {
  loading ??= (async () => {
    // The app's root: this file is served from <root>/assets/.
    const { card, model } = await loadModelFiles(new URL(import.meta.env.BASE_URL, self.location.origin));
    const session = await ort.InferenceSession.create(new Uint8Array(model), {
      executionProviders: ['wasm'],
      graphOptimizationLevel: 'all',
    });
    const [input, output] = [session.inputNames[0], session.outputNames[0]];
    if (!input || !output) throw new Error('The model has no input or output.');
    return { session, input, output, card, version: card.version ?? 'unknown' };
  })().catch((error: unknown) => {
    loading = null;
    throw error;
  });
  return loading;
}

/** Read a picture; `stages` says how long each step took (ms), for the e2e test's report. */
async function predict(loaded: Loaded, image: ImageInput) {
  const stages: Record<string, number> = {};
  let mark = performance.now();
  const lap = (name: string) => {
    const now = performance.now();
    stages[name] = now - mark;
    mark = now;
  };
  const { rgba, width, height } = await decodePixels(image);
  lap('decode');
  const prepared = prepareRgba(rgba, width, height);
  lap('prepare');
  const preview = fieldToPng(prepared.field); // encoded while the model runs
  const feeds = { [loaded.input]: new ort.Tensor('float32', prepared.field, [1, 28, 28, 1]) };
  const outputs = await loaded.session.run(feeds);
  lap('model');
  const raw = outputs[loaded.output]?.data as Float32Array;
  const said = answer(raw, prepared, calibrationOf(loaded.card));
  lap('verdict');
  const input = await preview;
  lap('png');
  return { prediction: { ...said, input, model: loaded.version }, stages };
}

const reply = (message: WorkerReply) => self.postMessage(message);

self.onmessage = async (event: MessageEvent<WorkerRequest>) => {
  const request = event.data;
  try {
    const loaded = await load();
    if (request.type === 'load') {
      reply({ id: request.id, ok: true, version: loaded.version });
      return;
    }
    const started = performance.now();
    const { prediction, stages } = await predict(loaded, request.image);
    reply({ id: request.id, ok: true, version: loaded.version, prediction, ms: performance.now() - started, stages });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const code: FailureCode =
      error instanceof EmptyCanvasError
        ? 'empty_canvas'
        : error instanceof PictureTooLargeError
          ? 'too_large'
          : 'device_failed';
    reply({ id: request.id, ok: false, code, message });
  }
};
