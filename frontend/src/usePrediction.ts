import { useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import {
  ApiError,
  checkHealth as apiCheckHealth,
  predict as apiPredict,
  predictFile as apiPredictFile,
  type Prediction,
} from './api';
import { Coalescer, type Settled } from './coalesce';
import { exportStrokes } from './exportImage';
import { describeFailure, retryDelay, type Failure } from './failure';
import { hasEnoughInk, type Stroke } from './strokes';
import { throttle, type Throttled } from './throttle';

/** How often to ask for a prediction while a stroke is being drawn (when the server keeps up). */
export const LIVE_INTERVAL_MS = 200;

/** A request without an answer after this long counts as failed ("taking too long"), and is retried. */
export const REQUEST_TIMEOUT_MS = 20_000;

/** An answer that settles a deliberate action (pen up, undo, clear, upload, Retry): announced once. */
export interface SettledAnswer<T = Prediction> {
  /** Increases with every settled answer, so that the same text is announced again. */
  id: number;
  result: T;
}

export interface PredictionState<T = Prediction> {
  /** The latest answer for the drawing (kept while a newer request is in flight). */
  result: T | null;
  /** A request is in flight. */
  loading: boolean;
  /** A message for a person when the last request failed; the drawing is kept. */
  error: string | null;
  /** What failed, and whether the app keeps trying by itself. */
  failure: Failure | null;
  /** When the next automatic attempt is due (ms since the epoch), while retrying by itself. */
  retryAt: number | null;
  /** The latest answer to a deliberate action, for the screen-reader announcement; null after a reset. */
  settled: SettledAnswer<T> | null;
  /** How many answers have been shown so far (live ones included). */
  answers: number;
  /** What the answer is about: the drawing, or an uploaded (or dropped) picture. */
  source: 'drawing' | 'upload';
  /** The uploaded picture's file name, when `source` is 'upload'. */
  uploadName: string | null;
}

/** `T`: what the server answers; a `/predict` Prediction unless `predict` and `predictFile` ask something else. */
export interface PredictionOptions<T = Prediction> {
  predict?: (image: string, signal: AbortSignal) => Promise<T>;
  predictFile?: (file: Blob, signal: AbortSignal) => Promise<T>;
  checkHealth?: (signal: AbortSignal) => Promise<boolean>;
  exportImage?: (strokes: readonly Stroke[]) => string;
  interval?: number;
  timeout?: number;
}

type Input = { kind: 'drawing' } | { kind: 'upload'; file: Blob; name: string };

const initialState: PredictionState<never> = {
  result: null,
  loading: false,
  error: null,
  failure: null,
  retryAt: null,
  settled: null,
  answers: 0,
  source: 'drawing',
  uploadName: null,
};

/** Run `task` with its own signal, aborted with `signal` or after `ms` (then it fails as "timeout"). */
function withTimeout<T>(task: (signal: AbortSignal) => Promise<T>, signal: AbortSignal, ms: number): Promise<T> {
  const controller = new AbortController();
  const abort = () => controller.abort();
  if (signal.aborted) controller.abort();
  signal.addEventListener('abort', abort);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new ApiError('timeout', `No answer within ${Math.round(ms / 1000)} s.`));
    }, ms);
  });
  return Promise.race([task(controller.signal), timedOut]).finally(() => {
    clearTimeout(timer);
    signal.removeEventListener('abort', abort);
  });
}

/**
 * Live prediction for the strokes `getStrokes` returns, or for an uploaded picture.
 *
 * - `predictSoon` (throttled, while drawing): at most one request in flight; a change made meanwhile is sent
 *   when it returns (`Coalescer`), so answers keep coming however slow the server is. Nothing is sent until the
 *   drawing is more than a touch (`hasEnoughInk`), so the pen-down dot never flashes an answer.
 * - `predictNow` (pen up, undo, redo, clear): sent at once, superseding a live request in flight; its answer
 *   always arrives and is the one announced (`settled`). A lone tap is sent, on purpose: the server answers it
 *   with "not a digit" (or `empty_canvas`, which shows the prompt again). An empty drawing resets everything.
 * - `predictAgain` (Retry, Predict): the same input again, at once, even while waiting on a Retry-After.
 * - `predictUpload(file)`: a picture from the file picker or a drop, sent as multipart/form-data.
 *
 * When a request fails in a way that waiting can fix (unreachable, 5xx, 429, timeout), the hook retries by
 * itself: it polls `GET /health` with backoff (2 s, 4 s, ... 30 s) and sends the input again once the server
 * answers; a Retry-After header is honoured (no request before it, live ones included).
 */
export function usePrediction<T = Prediction>(getStrokes: () => readonly Stroke[], options: PredictionOptions<T> = {}) {
  // The defaults ask /predict: they answer a Prediction, which is what T is unless both are given.
  const {
    predict = apiPredict as unknown as NonNullable<PredictionOptions<T>['predict']>,
    predictFile = apiPredictFile as unknown as NonNullable<PredictionOptions<T>['predictFile']>,
    checkHealth = apiCheckHealth,
    exportImage = exportStrokes,
    interval = LIVE_INTERVAL_MS,
    timeout = REQUEST_TIMEOUT_MS,
  } = options;
  const [state, setState] = useState<PredictionState<T>>(initialState);
  const mounted = useRef(true);
  const input = useRef<Input>({ kind: 'drawing' });
  const retry = useRef<{ attempt: number; timer: ReturnType<typeof setTimeout> | null; at: number }>({
    attempt: 0,
    timer: null,
    at: 0,
  });
  const health = useRef<AbortController | null>(null);
  const settledId = useRef(0);

  // The functions the coalescer and the timers call must always see the latest props. The ref is updated after
  // each commit (not during render, which React may discard), before any event or timer can use it.
  const deps = useRef({ getStrokes, predict, predictFile, checkHealth, exportImage, timeout, interval });
  useLayoutEffect(() => {
    deps.current = { getStrokes, predict, predictFile, checkHealth, exportImage, timeout, interval };
  });

  const stopRetrying = useCallback(() => {
    const r = retry.current;
    if (r.timer !== null) clearTimeout(r.timer);
    r.timer = null;
    r.attempt = 0;
    health.current?.abort();
    health.current = null;
  }, []);

  // The coalescer is created on first use (in an event or a timer, never during render); its callbacks reach the
  // latest props through `deps`.
  const engine = useRef<{ coalescer: Coalescer<T>; live: Throttled; reset: () => void } | null>(null);
  const getEngine = useCallback(() => {
    if (engine.current) return engine.current;

    // Automatic retries: wait (backoff, or the server's Retry-After), ask /health whether the server is back
    // unless the server said when to come back, then send the input again. One timer at a time.
    const scheduleRetry = (failure: Failure) => {
      const r = retry.current;
      const now = Date.now();
      if (failure.retryAfterMs !== undefined) coalescer.holdUntil(now + failure.retryAfterMs);
      const at = now + retryDelay(r.attempt, failure.retryAfterMs);
      if (r.timer !== null) {
        if (failure.retryAfterMs === undefined || r.at >= at) return;
        clearTimeout(r.timer);
      }
      r.at = at;
      r.timer = setTimeout(() => {
        r.timer = null;
        r.attempt++;
        void (async () => {
          if (failure.retryAfterMs === undefined) {
            const controller = new AbortController();
            health.current = controller;
            let up = false;
            try {
              up = await deps.current.checkHealth(controller.signal);
            } catch {
              up = false;
            }
            if (controller.signal.aborted || !mounted.current) return;
            health.current = null;
            if (!up) {
              scheduleRetry(failure);
              setState((s) => (s.error ? { ...s, retryAt: retry.current.at } : s));
              return;
            }
          }
          coalescer.request('final', { force: true });
        })();
      }, at - now);
    };

    // Nothing to ask about (the canvas is empty): drop what is in flight and show the prompt. A Retry-After still
    // holds: its timer stays, to send whatever is drawn next.
    const reset = () => {
      coalescer.cancel();
      if (!coalescer.held) stopRetrying();
      if (mounted.current) setState(initialState);
    };

    const coalescer: Coalescer<T> = new Coalescer<T>({
      prepare: () => {
        const { getStrokes: strokesNow, predict: send, predictFile: sendFile, exportImage: render } = deps.current;
        const ms = deps.current.timeout;
        const current = input.current;
        if (current.kind === 'upload') return (signal) => withTimeout((s) => sendFile(current.file, s), signal, ms);
        const strokes = strokesNow();
        if (strokes.length === 0) return null;
        const image = render(strokes);
        return (signal) => withTimeout((s) => send(image, s), signal, ms);
      },
      onSend: () => {
        if (mounted.current) setState((s) => (s.loading ? s : { ...s, loading: true }));
      },
      onNothing: () => reset(),
      onSettled: (outcome: Settled<T>, final: boolean) => {
        if (!mounted.current) return;
        const loading = coalescer.busy;
        if (outcome.status === 'ok') {
          stopRetrying();
          const settled = final ? { id: ++settledId.current, result: outcome.value } : null;
          setState((s) => ({
            ...s,
            result: outcome.value,
            loading,
            error: null,
            failure: null,
            retryAt: null,
            answers: s.answers + 1,
            settled: settled ?? s.settled,
          }));
          return;
        }
        if (outcome.error instanceof ApiError && outcome.error.code === 'empty_canvas') {
          // Too little ink to read: show the prompt to draw rather than an error.
          stopRetrying();
          setState((s) => ({ ...initialState, answers: s.answers, source: s.source, uploadName: s.uploadName }));
          return;
        }
        const failure = describeFailure(outcome.error);
        if (failure.retry) scheduleRetry(failure);
        else stopRetrying();
        setState((s) => ({
          ...s,
          loading,
          error: failure.message,
          failure,
          retryAt: failure.retry ? retry.current.at : null,
        }));
      },
    });
    // While drawing: at most one request per `interval`, and at most one in flight (the coalescer).
    engine.current = { coalescer, reset, live: throttle(() => coalescer.request('live'), deps.current.interval) };
    return engine.current;
  }, [stopRetrying]);

  /** Back to the drawing as the input (after an upload): its answer is not the drawing's. */
  const toDrawingInput = useCallback(() => {
    if (input.current.kind === 'drawing') return;
    input.current = { kind: 'drawing' };
    setState((s) => ({ ...s, result: null, source: 'drawing', uploadName: null }));
  }, []);

  // Checked before the throttle, so a dot neither sends nor starts the throttle's window: the first
  // request goes out as soon as the stroke has some extent.
  const predictSoon = useCallback(() => {
    toDrawingInput();
    if (hasEnoughInk(deps.current.getStrokes())) getEngine().live();
  }, [getEngine, toDrawingInput]);

  const predictNow = useCallback(() => {
    toDrawingInput();
    const { coalescer, live, reset } = getEngine();
    live.cancel();
    // An empty canvas resets at once, even while requests are on hold.
    if (deps.current.getStrokes().length === 0) reset();
    else coalescer.request('final');
  }, [getEngine, toDrawingInput]);

  const predictAgain = useCallback(() => {
    const { coalescer, live } = getEngine();
    live.cancel();
    const r = retry.current;
    if (r.timer !== null) clearTimeout(r.timer);
    r.timer = null;
    coalescer.request('final', { force: true });
  }, [getEngine]);

  const predictUpload = useCallback(
    (file: File) => {
      const { coalescer, live } = getEngine();
      live.cancel();
      if (file.type && !file.type.startsWith('image/')) {
        const failure = describeFailure(new ApiError('not_a_picture', `${file.type} is not an image type.`));
        setState((s) => ({ ...s, error: failure.message, failure, retryAt: null }));
        return;
      }
      input.current = { kind: 'upload', file, name: file.name };
      stopRetrying();
      setState((s) => ({ ...s, result: null, error: null, failure: null, source: 'upload', uploadName: file.name }));
      coalescer.request('final', { force: true });
    },
    [getEngine, stopRetrying],
  );

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
      engine.current?.live.cancel();
      engine.current?.coalescer.cancel();
      stopRetrying();
    };
  }, [stopRetrying]);

  return { ...state, predictNow, predictSoon, predictAgain, predictUpload };
}
