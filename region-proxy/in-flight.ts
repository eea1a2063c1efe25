/**
 * Counts requests (and streams, and their settle step) still running, so a graceful stop can wait
 * for them, bounded; and lets the stop end what still runs past that bound (`cut`).
 */
export class InFlight {
  private count = 0;
  private waiters: (() => void)[] = [];
  private readonly cutter = new AbortController();

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
   * Aborted once the stop ends the work still running (`cut`): what listens to it ends at once, telling
   * its client the gateway is shutting down (a vendor walk, routes/walk-options.ts; a stream,
   * routes/stream-response.ts), and settles as the gateway's doing, not the client's.
   */
  get cutSignal(): AbortSignal {
    return this.cutter.signal;
  }

  /** Ends the work still running (the grace period is over, or a second signal came); idempotent. */
  cut(): void {
    this.cutter.abort();
  }
}
