import type { GatewayError } from "../shared/errors/openai-error.ts";

/**
 * Counts requests (and streams, and their settle step) still running, so a graceful stop can wait
 * for them, bounded; and lets the stop end what still runs past that bound (`cut`). Streams are also
 * held by the key they were admitted with and the deployment, tenant and data class they stream for,
 * so a newer snapshot that refuses the key, or no longer allows that deployment for them, ends them
 * (pipeline/recheck-streams.ts); a request answered in one piece is only counted.
 */
export class InFlight {
  private count = 0;
  private waiters: (() => void)[] = [];
  private readonly cutter = new AbortController();
  private readonly streams = new Set<RunningStream>();
  /**
   * The ends of the request body reads still waiting (shared/http/read-body-bytes.ts readBodyBytesWithin
   * adds and removes its own): cut() calls each, so the read ends at once as late, the body left unread,
   * and admit-request.ts answers it 503 shutting_down.
   */
  readonly bodyReads = new Set<() => void>();
  /**
   * The ends of the limits step's waits still running (leases/leased-budgets.ts: for a budget's lease to
   * grow, or for other reservations to settle; each adds and removes its own, only while it waits): cut()
   * calls each, so the wait ends at once: refused, the request is answered 503 shutting_down
   * (pipeline/refuse.ts refuseLimits); admitted, its walk starts cut and ends so, its reservation released.
   */
  readonly limitWaits = new Set<() => void>();
  /**
   * The vendor calls still running (providers/vendor-call.ts: each adds itself as it starts and removes
   * itself at its cleanup; a Set, not a listener per call on `cutSignal`, whose removal scans every other
   * call's): cut() aborts each, and its walk ends as if its client had left.
   */
  readonly vendorCalls = new Set<{ abort(): void }>();

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

  /** Marks one stream started, held by `keyHash` and its route until its `end()` (called once it has settled). */
  beginStream(keyHash: string, route: StreamRoute): RunningStream {
    const stream = new RunningStream(keyHash, route, this.begin(), this.streams);
    this.streams.add(stream);
    return stream;
  }

  /** The streams still running, each with the key it was admitted with and where it streams from. */
  runningStreams(): Iterable<RunningStream> {
    return this.streams;
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
   * Aborted once the stop ends the work still running (`cut`), before cut() aborts every running vendor
   * call through `vendorCalls`: a stream (routes/stream-response.ts) and a walk (providers/walk-chain.ts)
   * read `aborted` to tell their client the gateway is shutting down and settle as the gateway's doing,
   * not the client's; only a retry's backoff listens to it (to end its wait at once). A request whose
   * body is still being read is ended by cut() too, through `bodyReads` (no listener per read), and
   * answered 503 shutting_down (pipeline/admit-request.ts); so is one waiting in the limits step,
   * through `limitWaits` (pipeline/refuse.ts refuseLimits).
   */
  get cutSignal(): AbortSignal {
    return this.cutter.signal;
  }

  /** Ends the work still running (the grace period is over, or a second signal came); idempotent. */
  cut(): void {
    this.cutter.abort();
    for (const call of this.vendorCalls) call.abort();
    for (const end of this.bodyReads) end();
    for (const end of this.limitWaits) end();
  }
}

/** What a stream is served as: the residency a newer snapshot is checked against for it. */
export interface StreamRoute {
  tenantId: string;
  /** The deployment streaming the answer. */
  deploymentId: string;
  /** The request's X-Data-Class (null when absent). */
  dataClass: string | null;
}

/**
 * One running stream: the key it was admitted with and its route, and how to end it when a newer
 * snapshot refuses either (`refuse`, set by routes/stream-response.ts; null until then, and after the
 * stream ended).
 */
export class RunningStream {
  refuse: ((error: GatewayError, reason: string) => void) | null = null;

  constructor(
    /** The key's index in Snapshot.keys (its secret's SHA-256). */
    readonly keyHash: string,
    readonly route: StreamRoute,
    private readonly endCount: () => void,
    private readonly held: Set<RunningStream>,
  ) {}

  /** The stream has settled: no longer held nor counted; idempotent. */
  end(): void {
    this.refuse = null;
    this.held.delete(this);
    this.endCount();
  }
}
