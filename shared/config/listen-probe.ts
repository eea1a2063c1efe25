/**
 * Whether a server can listen on `host` at all, asked before a service opens anything else: a HOST
 * that does not resolve or is not an address of this machine otherwise fails only at the last step
 * of the start, after databases were migrated or data dirs made. Binds a free port on it and lets go.
 *
 * @example const problem = listenProblem("gateway.invalid") // "cannot listen on gateway.invalid: …"
 */
export function listenProblem(host: string): string | null {
  try {
    const probe = Bun.serve({ port: 0, hostname: host, reusePort: false, development: false, fetch: () => new Response(null, { status: 503 }) });
    probe.stop(true);
    return null;
  } catch (error) {
    return `cannot listen on ${host}: ${(error as Error).message}`;
  }
}
