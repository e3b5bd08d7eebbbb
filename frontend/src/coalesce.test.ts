import { describe, expect, it, vi } from 'vitest';
import { Coalescer, type Settled } from './coalesce';
import { deferred } from './test/deferred';

/** A coalescer over a changing input; every request it sends is recorded with its input and its signal. */
function setup() {
  let input: string | null = 'a';
  let clock = 0;
  const sent: { input: string; signal: AbortSignal; answer: ReturnType<typeof deferred<string>> }[] = [];
  const settled: { outcome: Settled<string>; final: boolean }[] = [];
  const onSend = vi.fn();
  const onNothing = vi.fn();
  const coalescer = new Coalescer<string>({
    prepare: () => {
      if (input === null) return null;
      const value = input;
      return (signal) => {
        const answer = deferred<string>();
        sent.push({ input: value, signal, answer });
        return answer.promise;
      };
    },
    onSend,
    onNothing,
    onSettled: (outcome, final) => settled.push({ outcome, final }),
    now: () => clock,
  });
  const flush = () => new Promise((r) => setTimeout(r, 0));
  return {
    coalescer,
    sent,
    settled,
    onSend,
    onNothing,
    flush,
    setInput: (value: string | null) => (input = value),
    tick: (ms: number) => (clock += ms),
  };
}

describe('Coalescer', () => {
  it('sends a live request at once when nothing is in flight', async () => {
    const { coalescer, sent, settled, flush } = setup();
    coalescer.request('live');
    expect(sent.map((s) => s.input)).toEqual(['a']);
    expect(coalescer.busy).toBe(true);
    sent[0]!.answer.resolve('A');
    await flush();
    expect(settled).toEqual([{ outcome: { status: 'ok', value: 'A' }, final: false }]);
    expect(coalescer.busy).toBe(false);
  });

  it('keeps one request in flight and sends only the newest input when it returns', async () => {
    const { coalescer, sent, settled, setInput, flush } = setup();
    coalescer.request('live');
    for (const value of ['b', 'c', 'd']) {
      setInput(value);
      coalescer.request('live');
    }
    expect(sent).toHaveLength(1); // nothing more while the first is in flight...
    expect(sent[0]!.signal.aborted).toBe(false); // ...and it is never cancelled
    expect(coalescer.pending).toBe('live');
    sent[0]!.answer.resolve('A');
    await flush();
    expect(sent.map((s) => s.input)).toEqual(['a', 'd']); // one request, with the newest input
    expect(settled.map((s) => s.outcome)).toEqual([{ status: 'ok', value: 'A' }]);
    expect(coalescer.busy).toBe(true); // the next one went out before the answer was reported
    sent[1]!.answer.resolve('D');
    await flush();
    expect(settled.map((s) => s.outcome)).toEqual([
      { status: 'ok', value: 'A' },
      { status: 'ok', value: 'D' },
    ]);
    expect(sent).toHaveLength(2);
  });

  it('answers every request under latency: n slow round trips give n answers', async () => {
    const { coalescer, sent, settled, setInput, flush } = setup();
    for (let i = 0; i < 5; i++) {
      // a stroke: many changes per round trip
      for (let j = 0; j < 4; j++) {
        setInput(`${i}.${j}`);
        coalescer.request('live');
      }
      sent.at(-1)!.answer.resolve(`answer ${i}`);
      await flush();
    }
    expect(settled.filter((s) => s.outcome.status === 'ok')).toHaveLength(5);
    expect(sent.filter((s) => s.signal.aborted)).toHaveLength(0);
  });

  it('sends the change made during a failed request too', async () => {
    const { coalescer, sent, settled, setInput, flush } = setup();
    coalescer.request('live');
    setInput('b');
    coalescer.request('live');
    sent[0]!.answer.reject(new Error('down'));
    await flush();
    expect(settled[0]!.outcome.status).toBe('error');
    expect(sent.map((s) => s.input)).toEqual(['a', 'b']);
  });

  it('sends a final request at once, superseding the live one in flight, and reports it as final', async () => {
    const { coalescer, sent, settled, setInput, flush } = setup();
    coalescer.request('live');
    setInput('b');
    coalescer.request('live');
    setInput('c');
    coalescer.request('final');
    expect(sent.map((s) => s.input)).toEqual(['a', 'c']);
    expect(sent[0]!.signal.aborted).toBe(true);
    expect(coalescer.pending).toBeNull(); // the final request carries the newest input
    sent[0]!.answer.resolve('A'); // late: dropped
    sent[1]!.answer.resolve('C');
    await flush();
    expect(settled).toEqual([{ outcome: { status: 'ok', value: 'C' }, final: true }]);
    expect(sent).toHaveLength(2);
  });

  it('never lets a live request cancel a final one: the answer after pen-up always arrives', async () => {
    const { coalescer, sent, settled, setInput, flush } = setup();
    coalescer.request('final');
    setInput('b'); // the next stroke starts
    coalescer.request('live');
    coalescer.request('live');
    expect(sent).toHaveLength(1);
    expect(sent[0]!.signal.aborted).toBe(false);
    sent[0]!.answer.resolve('A');
    await flush();
    expect(settled[0]).toEqual({ outcome: { status: 'ok', value: 'A' }, final: true });
    expect(sent.map((s) => s.input)).toEqual(['a', 'b']);
  });

  it('holds every request until the hold ends, unless forced', async () => {
    const { coalescer, sent, tick, setInput, flush } = setup();
    coalescer.holdUntil(1000);
    expect(coalescer.held).toBe(true);
    coalescer.request('live');
    coalescer.request('final');
    expect(sent).toHaveLength(0);
    expect(coalescer.pending).toBe('final');
    coalescer.request('live'); // a live change does not downgrade the final one waiting
    expect(coalescer.pending).toBe('final');
    tick(1000);
    expect(coalescer.held).toBe(false);
    setInput('b');
    coalescer.request('final');
    expect(sent.map((s) => s.input)).toEqual(['b']);

    coalescer.holdUntil(5000);
    coalescer.request('final', { force: true }); // the user pressed Retry
    expect(sent).toHaveLength(2);
    expect(coalescer.held).toBe(false);
    await flush();
  });

  it('does not send the waiting change while on hold when the request in flight returns', async () => {
    const { coalescer, sent, flush } = setup();
    coalescer.request('live');
    coalescer.request('live');
    coalescer.holdUntil(Number.MAX_SAFE_INTEGER);
    sent[0]!.answer.resolve('A');
    await flush();
    expect(sent).toHaveLength(1);
    expect(coalescer.pending).toBe('live');
  });

  it('cancels what is in flight when there is nothing to send', async () => {
    const { coalescer, sent, settled, onNothing, setInput, flush } = setup();
    coalescer.request('live');
    setInput(null);
    coalescer.request('final');
    expect(sent[0]!.signal.aborted).toBe(true);
    expect(onNothing).toHaveBeenCalledTimes(1);
    sent[0]!.answer.resolve('A');
    await flush();
    expect(settled).toEqual([]);
  });

  it('reports an input that cannot be prepared as an error', () => {
    const settled: unknown[] = [];
    const coalescer = new Coalescer<string>({
      prepare: () => {
        throw new Error('no canvas');
      },
      onSettled: (outcome, final) => settled.push({ outcome, final }),
    });
    coalescer.request('final');
    expect(settled).toEqual([{ outcome: { status: 'error', error: new Error('no canvas') }, final: true }]);
  });

  it('cancel drops the request in flight and the waiting change', async () => {
    const { coalescer, sent, settled, flush } = setup();
    coalescer.request('live');
    coalescer.request('live');
    coalescer.cancel();
    expect(sent[0]!.signal.aborted).toBe(true);
    expect(coalescer.pending).toBeNull();
    sent[0]!.answer.resolve('A');
    await flush();
    expect(settled).toEqual([]);
    expect(sent).toHaveLength(1);
  });
});
