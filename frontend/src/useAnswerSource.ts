import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'react';
import { checkHealth as apiCheckHealth, type AnsweredBy, type Prediction, type ReadOptions } from './api';
import {
  fellBack,
  loadChoice,
  saveChoice,
  serverStateAfter,
  sourceNotice,
  whereToAsk,
  type ServerState,
  type SourceChoice,
} from './answerSource';
import { createDeviceReader, type DeviceReader } from './device/deviceReader';
import { retryDelay } from './failure';

type Ask<I> = (input: I, signal: AbortSignal, options?: ReadOptions) => Promise<Prediction>;

export interface AnswerSourceOptions {
  /** The on-device reader (injected in tests; the Web Worker otherwise). */
  device?: DeviceReader;
  checkHealth?: (signal: AbortSignal) => Promise<boolean>;
}

let sharedDevice: DeviceReader | null = null;
/** One on-device reader for the page, created on first use (it starts nothing until asked). */
const defaultDevice = () => (sharedDevice ??= createDeviceReader());

/**
 * Where answers come from: the person's choice (kept in this browser) and what the app has learnt about the server.
 *
 * `route(ask)` wraps a `/predict` function: it asks the server or this device, as `whereToAsk` says, and tags the
 * answer with where it came from. In Auto, a request the server cannot take because it is unreachable (or not
 * there) is answered on this device at once, and later ones go there too; meanwhile `GET /health` is polled with
 * backoff (and at once when the browser comes back online), and answers come from the server again as soon as it
 * answers. A device that fails leaves the server's failure to show (and the usual retries).
 */
export function useAnswerSource({ device: injected, checkHealth = apiCheckHealth }: AnswerSourceOptions = {}) {
  const device = useMemo(() => injected ?? defaultDevice(), [injected]);
  const [choice, setChoiceState] = useState<SourceChoice>(loadChoice);
  const [server, setServerState] = useState<ServerState>('unknown');
  const [recovered, setRecovered] = useState(false);
  const now = useRef({ choice, server });
  const health = useRef(checkHealth);
  useLayoutEffect(() => {
    health.current = checkHealth;
  });

  const setServer = useCallback((next: ServerState) => {
    const before = now.current.server;
    if (before === next) return;
    now.current.server = next;
    setServerState(next);
    setRecovered(next === 'up' && (before === 'down' || before === 'absent'));
  }, []);

  const setChoice = useCallback(
    (next: SourceChoice) => {
      now.current.choice = next;
      setChoiceState(next);
      setRecovered(false);
      saveChoice(next);
      if (next === 'device') device.warm().catch(() => undefined); // its failure shows on the first answer
    },
    [device],
  );

  const route = useCallback(
    <I extends Parameters<DeviceReader['predict']>[0]>(ask: Ask<I>): Ask<I> =>
      async (input, signal, options) => {
        const tag = (answer: Prediction, by: AnsweredBy): Prediction => ({ ...answer, answeredBy: by });
        const target = whereToAsk(now.current.choice, now.current.server, device.available);
        if (target === 'device') return tag(await device.predict(input, signal), 'device');
        try {
          const answer = options ? await ask(input, signal, options) : await ask(input, signal);
          setServer('up');
          return tag(answer, 'server');
        } catch (error) {
          const state = serverStateAfter(error);
          if (state) setServer(state);
          if (signal.aborted || !fellBack(now.current.choice, now.current.server) || !device.available) throw error;
          try {
            return tag(await device.predict(input, signal), 'device');
          } catch (deviceError) {
            throw (deviceError as { code?: string }).code === 'empty_canvas' ? deviceError : error;
          }
        }
      },
    [device, setServer],
  );

  /** Server-only requests (a number): what they learn about the server counts too. */
  const watch = useCallback(
    <I, T>(ask: (input: I, signal: AbortSignal, options?: ReadOptions) => Promise<T>) =>
      async (input: I, signal: AbortSignal, options?: ReadOptions): Promise<T> => {
        try {
          const answer = options ? await ask(input, signal, options) : await ask(input, signal);
          setServer('up');
          return answer;
        } catch (error) {
          const state = serverStateAfter(error);
          if (state) setServer(state);
          throw error;
        }
      },
    [setServer],
  );

  // While Auto answers on this device because the server is unreachable: ask /health now and then (2 s, 4 s, ...
  // 30 s), and at once when the browser says it is back online. An `offline` event needs no failed request first.
  useEffect(() => {
    const goOffline = () => setServer('down');
    window.addEventListener('offline', goOffline);
    // Only while the device stands in: without one, the failed request's own retries ask /health (usePrediction).
    if (!(choice === 'auto' && server === 'down' && device.available)) {
      return () => window.removeEventListener('offline', goOffline);
    }
    let attempt = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const controller = new AbortController();
    const probe = async () => {
      clearTimeout(timer);
      let up = false;
      try {
        up = await health.current(controller.signal);
      } catch {
        up = false;
      }
      if (controller.signal.aborted) return;
      if (up) setServer('up');
      else timer = setTimeout(() => void probe(), retryDelay(attempt++));
    };
    const onOnline = () => void probe();
    timer = setTimeout(() => void probe(), retryDelay(attempt++));
    window.addEventListener('online', onOnline);
    return () => {
      controller.abort();
      clearTimeout(timer);
      window.removeEventListener('online', onOnline);
      window.removeEventListener('offline', goOffline);
    };
  }, [choice, server, setServer, device]);

  return {
    choice,
    setChoice,
    server,
    /** Can this browser answer by itself? */
    deviceAvailable: device.available,
    /** Where the next digit request goes. */
    next: whereToAsk(choice, server, device.available),
    notice: sourceNotice(choice, server, recovered),
    route,
    watch,
  };
}
