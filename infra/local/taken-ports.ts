/**
 * The launcher's ports, tried before anything starts: a port another program holds used to fail
 * `npm start` with a stack trace naming no variable, and only after the control plane had migrated its
 * database and minted the bootstrap token, or after the demo was seeded and the US proxy started. Each
 * non-zero port is bound on HOST and let go at once; what cannot be bound is named by its variable.
 *
 * @example const problems = takenPorts("127.0.0.1", { CONTROL_PLANE_PORT: 4000 }) // [] when free
 */

/** One line per port that cannot be bound (a HOST this machine does not have is said once). */
export function takenPorts(host: string, ports: Record<string, number>): string[] {
  const problems: string[] = [];
  for (const [variable, port] of Object.entries(ports)) {
    if (port === 0) continue; // any free port: always bindable
    try {
      Bun.listen({ hostname: host, port, socket: { data() {} } }).stop(true);
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === "EADDRNOTAVAIL") return [`HOST ${host} is not an address of this machine; set HOST to one of its addresses (127.0.0.1 by default)`];
      problems.push(code === "EADDRINUSE" ? portInUse(variable, port) : `${variable} ${port} cannot be listened on at ${host} (${code ?? (error as Error).message}); set ${variable} to another port`);
    }
  }
  return problems;
}

/** The refusal for a port another program holds. */
export const portInUse = (variable: string, port: number) => `${variable} ${port} is in use by another program; set ${variable} to a free port`;

/** Whether a service's start failed on its port being in use (Bun's EADDRINUSE, or a message saying so). */
export function isPortInUse(error: unknown): boolean {
  return (error as { code?: string }).code === "EADDRINUSE" || /EADDRINUSE|port \d+ in use/i.test((error as Error)?.message ?? "");
}
