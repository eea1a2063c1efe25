/**
 * `npm start`'s environment, read and checked before anything starts: a mistyped port used to surface
 * as an unrelated error halfway through the first start (after the control plane had minted its admin
 * token), so every port is checked here and a bad one names its variable, and DATABASE_URL and DATA_DIR
 * as the control plane checks them (the launcher starts it directly, past its config.ts). Empty means
 * unset for every variable, as elsewhere in the project; a relative DATA_DIR is relative to the working
 * directory.
 *
 * @example const { dataDir, ports } = launcherEnv(process.env)
 */
import { resolve } from "node:path";
import { checkedDataDir, checkedDatabaseUrl, portFromEnv, readSetting, trueOrFalse } from "../../control-plane/config.ts";

export interface LauncherEnv {
  dataDir: string;
  host: string;
  databaseUrl: string | null;
  /**
   * ALLOW_PLAINTEXT_VENDOR_URLS, passed to the control plane it starts: the demo's echo deployment is
   * plain http on HOST, refused as such when HOST is a public address of this machine unless this is set.
   */
  allowPlaintextVendorUrls: boolean;
  ports: { controlPlane: number; us: number; eu: number; echo: number };
}

/** Throws an Error naming every unusable variable (joined by "; "). */
export function launcherEnv(env: Record<string, string | undefined>): LauncherEnv {
  const problems: string[] = [];
  const port = (name: string, fallback: number) => {
    try {
      return portFromEnv(env, name, fallback);
    } catch (error) {
      problems.push((error as Error).message);
      return fallback;
    }
  };
  const ports = { controlPlane: port("CONTROL_PLANE_PORT", 4000), us: port("US_PROXY_PORT", 4001), eu: port("EU_PROXY_PORT", 4002), echo: port("ECHO_VENDOR_PORT", 4100) };
  if (problems.length === 0) problems.push(...sharedPorts({ CONTROL_PLANE_PORT: ports.controlPlane, US_PROXY_PORT: ports.us, EU_PROXY_PORT: ports.eu, ECHO_VENDOR_PORT: ports.echo }));
  const setting = <T>(variable: string, check: () => T, fallback: T): T => {
    try {
      return readSetting(variable, check);
    } catch (error) {
      problems.push((error as Error).message);
      return fallback;
    }
  };
  // The launcher calls startControlPlane itself, past config.ts: the control plane's own checks, so a URL it would refuse is not migrated here.
  const databaseUrl = setting("DATABASE_URL", () => checkedDatabaseUrl(env.DATABASE_URL), null);
  const dataDir = setting("DATA_DIR", () => checkedDataDir(resolve(env.DATA_DIR || ".data")), "");
  const allowPlaintextVendorUrls = setting("ALLOW_PLAINTEXT_VENDOR_URLS", () => trueOrFalse(env.ALLOW_PLAINTEXT_VENDOR_URLS), false);
  if (problems.length > 0) throw new Error(problems.join("; "));
  return { dataDir, host: env.HOST || "127.0.0.1", databaseUrl, allowPlaintextVendorUrls, ports };
}

/**
 * Services given one port (0, any free port, excepted): the second to bind used to fail after the control
 * plane had started and minted its admin token, leaving DATA_DIR half made. One problem per shared port.
 */
function sharedPorts(ports: Record<string, number>): string[] {
  const byPort = new Map<number, string[]>();
  for (const [name, port] of Object.entries(ports)) if (port !== 0) byPort.set(port, [...(byPort.get(port) ?? []), name]);
  return [...byPort]
    .filter(([, names]) => names.length > 1)
    .map(([port, names]) => {
      const listed = `${names.slice(0, -1).join(", ")} and ${names.at(-1)}`;
      return `${listed} are ${names.length > 2 ? "all" : "both"} ${port}: each service needs its own port`;
    });
}
