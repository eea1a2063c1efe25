/**
 * Ports for tests that need one before the thing listening on it exists, or one nothing listens on.
 * Never a fixed port: on a shared CI machine a well-known port (9, 6379...) may be taken, or answer.
 */

/**
 * A port nothing listens on at the moment of the call: bound on port 0 (the OS picks an unused one),
 * read and released. Another process may take it later, so use it at once.
 */
export function freePort(): number {
  const probe = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const port = probe.port;
  probe.stop(true);
  return port;
}

/**
 * `count` ports nothing listens on, all different: bound together on port 0 and released together. Ports
 * from separate freePort() calls can repeat (the OS may hand a released port out again at once): a
 * launcher given two equal ports refuses to start, so a test needing several distinct ports takes them here.
 */
export function freePorts(count: number): number[] {
  const probes = Array.from({ length: count }, () => Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } }));
  const ports = probes.map((probe) => probe.port);
  for (const probe of probes) probe.stop(true);
  return ports;
}

/** The URL of a service that is down: a port probed free and closed again, where connects are refused. */
export function closedUrl(): string {
  return `http://127.0.0.1:${freePort()}`;
}

/**
 * Bun.serve on a given port that this process let go of a moment ago (a server restarted on its old
 * port). Retries EADDRINUSE for up to about `attempts` x `waitMs`, for a port held briefly (by a
 * connection the OS picked it for); a port still taken after that fails the test with the bind error.
 * Port 0 needs no retry: it is bound at once.
 */
export async function serveAgain(options: Parameters<typeof Bun.serve>[0], attempts = 20, waitMs = 100): Promise<ReturnType<typeof Bun.serve>> {
  for (let attempt = 1; ; attempt++) {
    try {
      return Bun.serve(options);
    } catch (error) {
      if ((error as { code?: string }).code !== "EADDRINUSE" || attempt >= attempts) throw error;
      await Bun.sleep(waitMs);
    }
  }
}
