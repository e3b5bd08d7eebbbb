import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { throttle } from './throttle';

describe('throttle', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs the first call at once and collapses the rest into one trailing call', () => {
    const fn = vi.fn();
    const t = throttle(fn, 200);
    t();
    expect(fn).toHaveBeenCalledTimes(1);
    t();
    t();
    t();
    expect(fn).toHaveBeenCalledTimes(1);
    expect(t.pending).toBe(true);
    vi.advanceTimersByTime(199);
    expect(fn).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(1);
    expect(fn).toHaveBeenCalledTimes(2);
    expect(t.pending).toBe(false);
  });

  it('calls about every `wait` ms during a continuous stream of calls', () => {
    const fn = vi.fn();
    const t = throttle(fn, 200);
    for (let ms = 0; ms < 1000; ms += 16) {
      t();
      vi.advanceTimersByTime(16);
    }
    vi.advanceTimersByTime(200);
    // 1 leading + one per 200 ms window (~5), never one per call (63)
    expect(fn.mock.calls.length).toBeGreaterThanOrEqual(5);
    expect(fn.mock.calls.length).toBeLessThanOrEqual(7);
  });

  it('flush runs a pending call now, cancel drops it', () => {
    const fn = vi.fn();
    const t = throttle(fn, 200);
    t();
    t();
    t.flush();
    expect(fn).toHaveBeenCalledTimes(2);
    t();
    t.cancel();
    vi.advanceTimersByTime(1000);
    expect(fn).toHaveBeenCalledTimes(2);
    t.flush(); // nothing pending
    expect(fn).toHaveBeenCalledTimes(2);
  });
});
