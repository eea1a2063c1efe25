/**
 * The config `npm start` starts each region's proxy with: a stable PROXY_ID per region. Without one each
 * start gave every proxy a new random `prx_…`, and `regions { proxies }` kept the dead ones at old
 * snapshot versions, looking like lagging proxies.
 */
import { expect, test } from "bun:test";
import { join } from "node:path";
import { localProxyConfig } from "./local-proxy-config.ts";

const common = {
  dataDir: "/tmp/local-stack",
  host: "127.0.0.1",
  controlPlaneUrl: "http://127.0.0.1:4000",
  trustedJwks: { keys: [] },
  echoApiKey: "echo_test",
  metricsToken: "metrics_test",
};

test("each region's proxy reports one stable id, the same at every start", () => {
  const us = localProxyConfig({ ...common, region: "us", port: 4001, regionToken: "rt_us" });
  const eu = localProxyConfig({ ...common, region: "eu", port: 4002, regionToken: "rt_eu" });
  expect(us.proxyId).toBe("local-us");
  expect(eu.proxyId).toBe("local-eu");
  // A later start (other ports, a new metrics token) reuses the id, so the control plane reuses the row.
  expect(localProxyConfig({ ...common, region: "us", port: 0, regionToken: "rt_us", metricsToken: "other" }).proxyId).toBe("local-us");
  // The control plane records only ids matching its pattern (control-plane/http/snapshot.route.ts).
  for (const id of [us.proxyId!, eu.proxyId!]) expect(id).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
});

test("the rest of the proxy's config: its region, port, token, own data dir and the echo vendor's key", () => {
  const us = localProxyConfig({ ...common, region: "us", port: 4001, regionToken: "rt_us" });
  expect(us).toEqual({
    region: "us",
    proxyId: "local-us",
    controlPlaneUrl: "http://127.0.0.1:4000",
    regionToken: "rt_us",
    trustedJwks: { keys: [] },
    dataDir: join("/tmp/local-stack", "proxy-us"),
    port: 4001,
    host: "127.0.0.1",
    credentials: { ECHO_VENDOR_API_KEY: "echo_test" },
    metricsToken: "metrics_test",
  });
});
