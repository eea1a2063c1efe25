/**
 * A control plane's lease endpoint on a script: it grants each asked lease `grantedMicros` of a
 * 100,000 µ$ cap, for a minute by its own clock, on every call, or with `once` on the first call only,
 * answering every later one 503 (a control plane that went away after the first grant). `hold()` keeps
 * the answers back until `release()`.
 *
 * @example const origin = startScriptedLeaseOrigin({ grantedMicros: 5_000, once: true });
 */
export interface ScriptedLeaseOrigin {
  url: string;
  /** Calls received so far, the first (granted) included. */
  calls(): number;
  /** Answers wait from now on until `release()`. */
  hold(): void;
  release(): void;
  stop(): void;
}

export function startScriptedLeaseOrigin(script: { grantedMicros: number; once?: boolean }): ScriptedLeaseOrigin {
  let calls = 0;
  let release: () => void = () => {};
  let held: Promise<void> | null = null;
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    development: false,
    fetch: async (request) => {
      calls++;
      if (script.once && calls > 1) return new Response("{}", { status: 503 });
      const { leases: asks } = (await request.json()) as { leases: { scope: string; period: string }[] };
      await held;
      const expiresAt = new Date(Date.now() + 60_000).toISOString();
      const grants = asks.map((a) => ({ ...a, managed: true, capMicros: 100_000, grantedMicros: script.grantedMicros, expiresAt, exhausted: false, ledgerSpentMicros: 0, ledgerVersion: 0 }));
      return Response.json({ grants });
    },
    error: () => new Response(null, { status: 500 }),
  });
  return {
    url: `http://127.0.0.1:${server.port}`,
    calls: () => calls,
    hold: () => void (held = new Promise<void>((resolve) => (release = resolve))),
    release: () => {
      release();
      held = null;
    },
    stop: () => server.stop(true),
  };
}
