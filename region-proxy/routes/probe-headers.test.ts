/**
 * "Response headers on every answer" (issue 4, Visibility): the probe routes answer with the unrouted
 * x-gateway-* set too (region, attempts 0, fallback false), as every other answer refused or served
 * without a vendor call does: /health, /ready, and /metrics served, refused (401) or absent (404).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, REGION, type ProxyFixture } from "../testing/proxy-fixture.ts";

const TOKEN = "metrics-token-0123456789";
let fx: ProxyFixture;
let proxy: RunningProxy;
let withoutMetrics: RunningProxy;
beforeAll(async () => {
  fx = await createProxyFixture();
  await fx.publish(fx.snapshot(1));
  proxy = await fx.startProxy({ metricsToken: TOKEN });
  withoutMetrics = await fx.startProxy({ dataDir: fx.freshDataDir() });
});
afterAll(() => fx.cleanup());

const visibility = async (response: Promise<Response>) => {
  const r = await response;
  return [r.status, r.headers.get("x-request-id")?.startsWith("req_"), r.headers.get("x-gateway-region"), r.headers.get("x-gateway-attempts"), r.headers.get("x-gateway-fallback")];
};

test("/health, /ready and /metrics (200, 401, 404) carry the request id and the unrouted x-gateway-* set", async () => {
  expect(await visibility(fetch(`${proxy.url}/health`))).toEqual([200, true, REGION, "0", "false"]);
  expect(await visibility(fetch(`${proxy.url}/ready`))).toEqual([200, true, REGION, "0", "false"]);
  expect(await visibility(fetch(`${proxy.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } }))).toEqual([200, true, REGION, "0", "false"]);
  expect(await visibility(fetch(`${proxy.url}/metrics`))).toEqual([401, true, REGION, "0", "false"]);
  expect(await visibility(fetch(`${withoutMetrics.url}/metrics`))).toEqual([404, true, REGION, "0", "false"]);
});
