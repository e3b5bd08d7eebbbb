/**
 * "Latest request wins": each run aborts the one before it (AbortController), and a result
 * that arrives after a newer run has started is reported as stale, never as the answer.
 */

export type Outcome<T> = { status: 'ok'; value: T } | { status: 'error'; error: unknown } | { status: 'stale' };

export class LatestRequest<T> {
  private controller: AbortController | null = null;
  private generation = 0;

  /** Is a run in flight (and not yet superseded or cancelled)? */
  get busy(): boolean {
    return this.controller !== null;
  }

  async run(task: (signal: AbortSignal) => Promise<T>): Promise<Outcome<T>> {
    this.controller?.abort();
    const controller = new AbortController();
    this.controller = controller;
    const generation = ++this.generation;
    const current = () => generation === this.generation && !controller.signal.aborted;
    try {
      const value = await task(controller.signal);
      if (!current()) return { status: 'stale' };
      return { status: 'ok', value };
    } catch (error) {
      if (!current()) return { status: 'stale' };
      return { status: 'error', error };
    } finally {
      if (this.controller === controller) this.controller = null;
    }
  }

  /** Abort whatever is in flight; its outcome will be stale. */
  cancel(): void {
    this.generation++;
    this.controller?.abort();
    this.controller = null;
  }
}
