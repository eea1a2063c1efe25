/**
 * Counts requests (and streams, and their settle step) still running, so a graceful stop can wait
 * for them, bounded; and lets the stop end what still runs past that bound (`cut`).
 */
export class InFlight implements StopWatch {
  private count = 0;
  private waiters: (() => void)[] = [];
  private readonly cutter = new AbortController();
  private readonly cutHooks = new Set<() => void>();

  /** Marks one unit of work started; call the returned function exactly once when it ends. */
  begin(): () => void {
    this.count++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.count--;
      if (this.count === 0) for (const wake of this.waiters.splice(0)) wake();
    };
  }

  size(): number {
    return this.count;
  }

  /** Resolves true when nothing is running, or false after timeoutMs. */
  idle(timeoutMs: number): Promise<boolean> {
    if (this.count === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve(true);
      });
    });
  }

  /**
   * Aborted once the stop ends the work still running (`cut`): what reads it ends at once, telling its
   * client the gateway is shutting down (a stream, routes/stream-response.ts; a vendor walk watches the
   * cut through StopWatch), and settles as the gateway's doing, not the client's.
   */
  get cutSignal(): AbortSignal {
    return this.cutter.signal;
  }

  get isCut(): boolean {
    return this.cutter.signal.aborted;
  }

  onCut(hook: () => void): void {
    this.cutHooks.add(hook);
  }

  offCut(hook: () => void): void {
    this.cutHooks.delete(hook);
  }

  /** Ends the work still running (the grace period is over, or a second signal came); idempotent. */
  cut(): void {
    if (this.cutter.signal.aborted) return;
    this.cutter.abort();
    for (const hook of [...this.cutHooks]) hook();
    this.cutHooks.clear();
  }
}

/**
 * The stop's cut as a vendor walk watches it (walk-chain.ts, vendor-call.ts): `isCut` once the stop ends
 * what still runs, and hooks called then. A Set of hooks rather than a signal joined to each request's
 * own (AbortSignal.any cost ~0.8 us per request, a listener on one shared signal ~0.45 us): adding and
 * removing the call's existing abort closure costs next to nothing.
 */
export interface StopWatch {
  readonly isCut: boolean;
  onCut(hook: () => void): void;
  offCut(hook: () => void): void;
}
