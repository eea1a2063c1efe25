/**
 * The config `npm start` gives each region's proxy. Its PROXY_ID is pinned per region (`local-us`,
 * `local-eu`): left unset, each start gave every proxy a new random `prx_…`, and the control plane's
 * `regions { proxies }` kept the previous starts' ones, stuck at old snapshot versions, looking like
 * lagging proxies. Pinned, a restart reuses the region's row.
 *
 * @example await startProxy(localProxyConfig({ region: "us", port: 4001, ... }))
 */
import { join } from "node:path";
import type { ProxyConfig } from "../../region-proxy/config.ts";

export interface LocalProxyInput {
  region: string;
  port: number;
  host: string;
  /** The launcher's DATA_DIR; the proxy keeps its own `proxy-<region>` directory in it. */
  dataDir: string;
  controlPlaneUrl: string;
  regionToken: string;
  trustedJwks: ProxyConfig["trustedJwks"];
  echoApiKey: string;
  metricsToken: string;
}

/** The stable id a local proxy reports itself by; within the control plane's proxy id pattern for the demo's region names. */
function localProxyId(region: string): string {
  return `local-${region}`;
}

export function localProxyConfig(input: LocalProxyInput): ProxyConfig {
  return {
    region: input.region,
    proxyId: localProxyId(input.region),
    controlPlaneUrl: input.controlPlaneUrl,
    regionToken: input.regionToken,
    trustedJwks: input.trustedJwks,
    dataDir: join(input.dataDir, `proxy-${input.region}`),
    port: input.port,
    host: input.host,
    credentials: { ECHO_VENDOR_API_KEY: input.echoApiKey },
    metricsToken: input.metricsToken,
  };
}
