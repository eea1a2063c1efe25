/**
 * Counts requests (and streams, and their settle step) still running, so a graceful stop can wait
 * for them, bounded.
 */
export class InFlight {
  private count = 0;
  private waiters: (() => void)[] = [];

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
}
