import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { ApiError, predict as apiPredict, type Prediction } from './api';
import { exportStrokes } from './exportImage';
import { LatestRequest } from './latest';
import { hasEnoughInk, type Stroke } from './strokes';
import { throttle } from './throttle';

/** How often to ask for a prediction while a stroke is being drawn. */
export const LIVE_INTERVAL_MS = 200;

export interface PredictionState {
  /** The latest answer for the drawing (kept while a newer request is in flight). */
  result: Prediction | null;
  /** A request is in flight. */
  loading: boolean;
  /** A message for a person when the last request failed; the drawing is kept. */
  error: string | null;
}

export interface PredictionOptions {
  predict?: (image: string, signal: AbortSignal) => Promise<Prediction>;
  exportImage?: (strokes: readonly Stroke[]) => string;
  interval?: number;
}

const initialState: PredictionState = { result: null, loading: false, error: null };

/**
 * Live prediction for the strokes `getStrokes` returns: `predictSoon` (throttled, while
 * drawing), `predictNow` (stroke end, buttons, undo/clear). The latest request always wins.
 * An empty drawing resets the result and sends nothing.
 *
 * `predictSoon` sends nothing until the drawing is more than a touch (`hasEnoughInk`), so the
 * pen-down dot that starts a first stroke no longer flashes an answer such as "0 · 100%".
 * `predictNow` sends any drawing that is not empty: a tap on its own is sent once, at pointer-up,
 * on purpose. Lifting the pen is a deliberate end, and the server answers a lone dot with
 * "not a digit" (or with `empty_canvas`, which shows the prompt again), which is more honest
 * than silently waiting; the Predict button and undo behave the same way.
 */
export function usePrediction(getStrokes: () => readonly Stroke[], options: PredictionOptions = {}) {
  const { predict = apiPredict, exportImage = exportStrokes, interval = LIVE_INTERVAL_MS } = options;
  const [state, setState] = useState<PredictionState>(initialState);
  const latest = useRef(new LatestRequest<Prediction>());
  const mounted = useRef(true);

  // The functions the throttle calls must always see the latest props. The ref is updated after each commit
  // (not during render, which React may discard), before any event or timer can call `run`.
  const deps = useRef({ getStrokes, predict, exportImage });
  useLayoutEffect(() => {
    deps.current = { getStrokes, predict, exportImage };
  });

  const run = useCallback(async () => {
    const { getStrokes: strokesNow, predict: send, exportImage: render } = deps.current;
    const strokes = strokesNow();
    if (strokes.length === 0) {
      latest.current.cancel();
      setState(initialState);
      return;
    }
    let image: string;
    try {
      image = render(strokes);
    } catch (error) {
      setState((s) => ({ ...s, loading: false, error: error instanceof Error ? error.message : String(error) }));
      return;
    }
    setState((s) => (s.loading ? s : { ...s, loading: true }));
    const outcome = await latest.current.run((signal) => send(image, signal));
    if (!mounted.current || outcome.status === 'stale') return;
    if (outcome.status === 'ok') {
      setState({ result: outcome.value, loading: false, error: null });
    } else if (outcome.error instanceof ApiError && outcome.error.code === 'empty_canvas') {
      // Too little ink to read: show the prompt to draw rather than an error.
      setState(initialState);
    } else {
      const message =
        outcome.error instanceof Error ? outcome.error.message : 'Something went wrong while recognising the digit.';
      setState((s) => ({ ...s, loading: false, error: message }));
    }
  }, []);

  const throttled = useMemo(() => throttle(() => void run(), interval), [run, interval]);

  // Checked before the throttle, so a dot neither sends nor starts the throttle's window: the first
  // request goes out as soon as the stroke has some extent.
  const predictSoon = useCallback(() => {
    if (hasEnoughInk(deps.current.getStrokes())) throttled();
  }, [throttled]);

  const predictNow = useCallback(() => {
    throttled.cancel();
    void run();
  }, [run, throttled]);

  useEffect(() => {
    mounted.current = true;
    const request = latest.current;
    return () => {
      mounted.current = false;
      throttled.cancel();
      request.cancel();
    };
  }, [throttled]);

  return { ...state, predictNow, predictSoon };
}
