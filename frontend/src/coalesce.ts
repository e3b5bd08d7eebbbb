/**
 * Live prediction that keeps working under latency: at most one request in flight, and the newest input sent
 * as soon as it returns.
 *
 * The old scheme ("latest wins" by cancelling) aborted each request when the next one started, so with a server
 * slower than the 200 ms live interval no answer ever came back while drawing. Here a live request made while
 * one is in flight is not sent: it only marks the input as changed, and when the request in flight returns
 * (answer or error) one request goes out with whatever the input is by then, however many changes came in
 * between. A live request never cancels anything.
 *
 * A final request (the pen lifted, undo, clear, Retry, an upload) is the one whose answer must arrive: it is sent
 * at once and supersedes the request in flight, which was for an older input (its late answer is dropped as
 * stale, see `LatestRequest`). Only another final request, or `cancel`, supersedes a final one.
 *
 * `holdUntil` honours a server's Retry-After: until then nothing is sent automatically (requests are remembered
 * and the caller's retry timer sends them); `force` (the user pressed Retry) sends anyway.
 */
import { LatestRequest, type Outcome } from './latest';

export type Settled<T> = Exclude<Outcome<T>, { status: 'stale' }>;

/** What to send now, read when the request goes out (so it is always the newest input), or null for nothing. */
export type Prepare<T> = () => ((signal: AbortSignal) => Promise<T>) | null;

export interface CoalescerOptions<T> {
  prepare: Prepare<T>;
  /** A request went out. */
  onSend?: (final: boolean) => void;
  /** The answer (or error) to a request that was not superseded; `final` when it was a final request. */
  onSettled: (outcome: Settled<T>, final: boolean) => void;
  /** `prepare` had nothing to send: whatever was in flight was cancelled. */
  onNothing?: () => void;
  now?: () => number;
}

export type Priority = 'live' | 'final';

export class Coalescer<T> {
  private readonly latest = new LatestRequest<T>();
  private readonly options: CoalescerOptions<T>;
  /** A change made while a request was in flight (or while on hold): send it when that one returns. */
  private dirty: Priority | null = null;
  private inFlightFinal = false;
  private heldUntil = 0;

  constructor(options: CoalescerOptions<T>) {
    this.options = options;
  }

  /** A request is in flight. */
  get busy(): boolean {
    return this.latest.busy;
  }

  /** A change is waiting to be sent. */
  get pending(): Priority | null {
    return this.dirty;
  }

  /** Until this time (ms, as `now` counts) nothing is sent automatically. */
  holdUntil(time: number): void {
    this.heldUntil = time;
  }

  get held(): boolean {
    return this.now() < this.heldUntil;
  }

  /**
   * Ask for an answer for the current input. `live`: sent now if nothing is in flight, else once the request
   * in flight returns. `final`: sent now, superseding a request in flight. `force` ignores a hold.
   */
  request(priority: Priority, { force = false }: { force?: boolean } = {}): void {
    if (force) this.heldUntil = 0;
    if (this.held) {
      this.mark(priority);
      return;
    }
    if (priority === 'live' && this.latest.busy) {
      this.mark('live');
      return;
    }
    this.dirty = null;
    void this.send(priority === 'final');
  }

  /** Drop whatever is in flight or waiting; its answer will never be reported. */
  cancel(): void {
    this.dirty = null;
    this.inFlightFinal = false;
    this.latest.cancel();
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private mark(priority: Priority): void {
    if (this.dirty !== 'final') this.dirty = priority;
  }

  private async send(final: boolean): Promise<void> {
    let task: ((signal: AbortSignal) => Promise<T>) | null;
    try {
      task = this.options.prepare();
    } catch (error) {
      this.cancel();
      this.options.onSettled({ status: 'error', error }, final);
      return;
    }
    if (!task) {
      this.cancel();
      this.options.onNothing?.();
      return;
    }
    this.inFlightFinal = final;
    this.options.onSend?.(final);
    const outcome = await this.latest.run(task);
    if (outcome.status === 'stale') return;
    const wasFinal = this.inFlightFinal;
    this.inFlightFinal = false;
    // A change that came in meanwhile goes out before the answer is reported, so that the busy state stays on.
    const next = this.dirty;
    if (next && !this.held) {
      this.dirty = null;
      void this.send(next === 'final');
    }
    this.options.onSettled(outcome, wasFinal);
  }
}
