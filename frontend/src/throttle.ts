/**
 * A leading + trailing throttle: the first call runs at once, further calls within `wait` ms
 * collapse into one call at the end of the window. `flush` runs a pending call now and
 * `cancel` drops it.
 */
export interface Throttled {
  (): void;
  flush(): void;
  cancel(): void;
  readonly pending: boolean;
}

export function throttle(fn: () => void, wait: number, now: () => number = () => Date.now()): Throttled {
  let last = -Infinity;
  let timer: ReturnType<typeof setTimeout> | null = null;

  const invoke = () => {
    timer = null;
    last = now();
    fn();
  };

  const throttled = (() => {
    const elapsed = now() - last;
    if (elapsed >= wait && timer === null) {
      invoke();
    } else if (timer === null) {
      timer = setTimeout(invoke, Math.max(0, wait - elapsed));
    }
  }) as Throttled;

  throttled.flush = () => {
    if (timer !== null) {
      clearTimeout(timer);
      invoke();
    }
  };
  throttled.cancel = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
  Object.defineProperty(throttled, 'pending', { get: () => timer !== null });
  return throttled;
}
