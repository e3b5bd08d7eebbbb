import { describe, expect, it } from 'vitest';
import { LatestRequest } from './latest';
import { deferred } from './test/deferred';

describe('LatestRequest', () => {
  it('returns the value of a lone request', async () => {
    const latest = new LatestRequest<number>();
    await expect(latest.run(async () => 7)).resolves.toEqual({ status: 'ok', value: 7 });
    expect(latest.busy).toBe(false);
  });

  it('aborts the previous request when a new one starts', async () => {
    const latest = new LatestRequest<number>();
    const signals: AbortSignal[] = [];
    const first = deferred<number>();
    const a = latest.run((signal) => {
      signals.push(signal);
      return first.promise;
    });
    expect(latest.busy).toBe(true);
    const b = latest.run(async (signal) => {
      signals.push(signal);
      return 2;
    });
    expect(signals[0]!.aborted).toBe(true);
    expect(signals[1]!.aborted).toBe(false);
    first.resolve(1);
    await expect(a).resolves.toEqual({ status: 'stale' });
    await expect(b).resolves.toEqual({ status: 'ok', value: 2 });
  });

  it('never lets a stale answer win, even if it arrives last', async () => {
    const latest = new LatestRequest<string>();
    const old = deferred<string>();
    const fresh = deferred<string>();
    const a = latest.run(() => old.promise); // a server that ignores the abort
    const b = latest.run(() => fresh.promise);
    fresh.resolve('new');
    await expect(b).resolves.toEqual({ status: 'ok', value: 'new' });
    old.resolve('old');
    await expect(a).resolves.toEqual({ status: 'stale' });
  });

  it('reports errors of the latest request, and hides those of superseded ones', async () => {
    const latest = new LatestRequest<number>();
    const old = deferred<number>();
    const a = latest.run(() => old.promise);
    const b = latest.run(() => Promise.reject(new Error('down')));
    old.reject(new DOMException('aborted', 'AbortError'));
    await expect(a).resolves.toEqual({ status: 'stale' });
    const outcome = await b;
    expect(outcome.status).toBe('error');
    expect(outcome.status === 'error' && (outcome.error as Error).message).toBe('down');
  });

  it('cancel aborts the request in flight and makes its outcome stale', async () => {
    const latest = new LatestRequest<number>();
    let seen: AbortSignal | undefined;
    const pending = deferred<number>();
    const a = latest.run((signal) => {
      seen = signal;
      return pending.promise;
    });
    latest.cancel();
    expect(seen!.aborted).toBe(true);
    expect(latest.busy).toBe(false);
    pending.resolve(5);
    await expect(a).resolves.toEqual({ status: 'stale' });
  });

  it('handles many overlapping requests resolving in random order', async () => {
    const latest = new LatestRequest<number>();
    const pending = Array.from({ length: 10 }, () => deferred<number>());
    const runs = pending.map((d) => latest.run(() => d.promise));
    for (const i of [3, 9, 0, 5, 1, 8, 2, 7, 4, 6]) pending[i]!.resolve(i);
    const outcomes = await Promise.all(runs);
    expect(outcomes.slice(0, 9).every((o) => o.status === 'stale')).toBe(true);
    expect(outcomes[9]).toEqual({ status: 'ok', value: 9 });
  });
});
