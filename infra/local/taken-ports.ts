/**
 * The launcher's ports, tried before anything starts: a port another program holds used to fail
 * `npm start` with a stack trace naming no variable, and only after the control plane had migrated its
 * database and minted the bootstrap token, or after the demo was seeded and the US proxy started. HOST is
 * tried first (port 0 bound on it): one it cannot be listened on (a name that does not resolve, an address
 * of another machine, an IPv6 address bracketed as in a URL, which is refused rather than guessed at) is
 * one line naming HOST. Then each non-zero port is bound on HOST and let go at once; what cannot be bound
 * is named by its variable.
 *
 * @example const problems = takenPorts("127.0.0.1", { CONTROL_PLANE_PORT: 4000 }) // [] when free
 */
import { listenProblem } from "../../shared/config/listen-probe.ts";

/** One line per port that cannot be bound, or one line for a HOST that cannot be listened on at all. */
export function takenPorts(host: string, ports: Record<string, number>): string[] {
  const hostProblem = unusableHost(host);
  if (hostProblem) return [hostProblem];
  const problems: string[] = [];
  for (const [variable, port] of Object.entries(ports)) {
    if (port === 0) continue; // any free port: always bindable
    try {
      Bun.listen({ hostname: host, port, socket: { data() {} } }).stop(true);
    } catch (error) {
      const code = (error as { code?: string }).code;
      problems.push(code === "EADDRINUSE" ? portInUse(variable, port) : `${variable} ${port} cannot be listened on at ${host} (${code ?? (error as Error).message}); set ${variable} to another port`);
    }
  }
  return problems;
}

/** Why HOST cannot be listened on (on any port), or null when it can. */
function unusableHost(host: string): string | null {
  if (host.startsWith("[")) return `HOST ${host} is an IPv6 address written with brackets, as in a URL; write it without them (HOST=${host.replace(/^\[|\]$/g, "")})`;
  // Bun's reason names no cause ("Failed to listen at <host>"): the two there are, said instead.
  if (!listenProblem(host)) return null;
  return `HOST ${host} cannot be listened on: it does not resolve, or is not an address of this machine; set HOST to one of its addresses (127.0.0.1 by default)`;
}

/** The refusal for a port another program holds. */
export const portInUse = (variable: string, port: number) => `${variable} ${port} is in use by another program; set ${variable} to a free port`;

/** Whether a service's start failed on its port being in use (Bun's EADDRINUSE, or a message saying so). */
export function isPortInUse(error: unknown): boolean {
  return (error as { code?: string }).code === "EADDRINUSE" || /EADDRINUSE|port \d+ in use/i.test((error as Error)?.message ?? "");
}
