/**
 * An OpenAI-format vendor that holds the first call after each `rearm()` until `release()`, and answers
 * every call 503 overloaded: a deployment "thinking" while a test changes the snapshot under the
 * request (a kill switch, a residency rule), whose failure then asks the walk for a retry or fallback.
 *
 * @example const held = startHeldVendor();
 *          const reached = held.rearm(); const answer = fetch(...); await reached;
 *          await fx.publish(changed); held.release(); expect(held.calls()).toBe(1);
 */
export interface HeldVendor {
  port: number;
  /** Calls since the last rearm. */
  calls(): number;
  /** Counts from 0 again and holds the next call; resolves when it arrives. */
  rearm(): Promise<void>;
  /** Lets the held call answer (503). */
  release(): void;
  stop(): void;
}

export function startHeldVendor(): HeldVendor {
  let calls = 0;
  let arrived: () => void = () => {};
  let release: () => void = () => {};
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    development: false,
    idleTimeout: 0,
    async fetch(req) {
      await req.text();
      calls++;
      if (calls === 1) {
        const released = new Promise<void>((resolve) => (release = resolve));
        arrived();
        await released;
      }
      return Response.json({ error: { message: "overloaded", type: "server_error" } }, { status: 503 });
    },
  });
  return {
    port: server.port!,
    calls: () => calls,
    rearm() {
      calls = 0;
      return new Promise<void>((resolve) => (arrived = resolve));
    },
    release: () => release(),
    stop: () => server.stop(true),
  };
}
