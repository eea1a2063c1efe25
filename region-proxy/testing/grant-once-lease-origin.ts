/**
 * A control plane's lease endpoint that grants each asked lease once (5,000 of a 100,000 µ$ cap, for a
 * minute) and answers every later call 503: a control plane that went away after the first grant.
 */
export interface GrantOnceLeaseOrigin {
  url: string;
  /** Calls received so far, the first (granted) included. */
  calls(): number;
  stop(): void;
}

export function startGrantOnceLeaseOrigin(): GrantOnceLeaseOrigin {
  let calls = 0;
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    development: false,
    fetch: async (request) => {
      calls++;
      if (calls > 1) return new Response("{}", { status: 503 });
      const { leases: asks } = (await request.json()) as { leases: { scope: string; period: string }[] };
      const grants = asks.map((a) => ({ ...a, managed: true, capMicros: 100_000, grantedMicros: 5_000, expiresAt: new Date(Date.now() + 60_000).toISOString(), exhausted: false, ledgerSpentMicros: 0, ledgerVersion: 0 }));
      return Response.json({ grants });
    },
    error: () => new Response(null, { status: 500 }),
  });
  return { url: `http://127.0.0.1:${server.port}`, calls: () => calls, stop: () => server.stop(true) };
}
