/**
 * GET /metrics through a real proxy: served only with a configured token, refused without it, and
 * counting what requests did: answers by route and status, refusals by code, settled requests, vendor
 * calls by deployment and reason, fallbacks, tokens. No tenant, key or request id in any label.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";

const TOKEN = "metrics-token-0123456789";
let fx: ProxyFixture;
let proxy: RunningProxy;
let unexposed: RunningProxy;

beforeAll(async () => {
  fx = await createProxyFixture();
  await fx.publish(fx.snapshot(1));
  proxy = await fx.startProxy({ metricsToken: TOKEN });
  unexposed = await fx.startProxy({ dataDir: fx.freshDataDir() });
});
afterAll(async () => {
  await fx.cleanup();
});

const scrape = (target: RunningProxy, token?: string) => fetch(`${target.url}/metrics`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
const line = (text: string, prefix: string) => text.split("\n").find((l) => l.startsWith(prefix));
const value = (text: string, prefix: string) => Number(line(text, prefix)?.split(" ").pop() ?? NaN);

test("without METRICS_TOKEN the path does not exist; with one, a missing or wrong token is 401", async () => {
  expect((await scrape(unexposed, TOKEN)).status).toBe(404);
  expect((await fetch(`${unexposed.url}/metrics`, { method: "POST" })).status).toBe(404); // not even a 405 that says the path exists
  expect((await fetch(`${proxy.url}/metrics`, { headers: { authorization: `bearer  ${TOKEN}` } })).status).toBe(200); // the scheme is case-insensitive
  const missing = await scrape(proxy);
  expect(missing.status).toBe(401);
  expect(missing.headers.get("www-authenticate")).toContain("Bearer");
  expect((await missing.json()).error.code).toBe("invalid_api_key");
  expect((await scrape(proxy, `${TOKEN}x`)).status).toBe(401);
  const ok = await scrape(proxy, TOKEN);
  expect(ok.status).toBe(200);
  expect(ok.headers.get("content-type")).toStartWith("text/plain; version=0.0.4");
});

test("answers, refusals, settled requests, vendor calls, fallbacks and tokens are counted", async () => {
  const client = fx.client(proxy);
  await client.chat.completions.create({ model: "chat", messages: [{ role: "user", content: "hello there" }] });
  const fellBack = await client.chat.completions.create({ model: "fallback", messages: [{ role: "user", content: "hi" }] }).withResponse();
  expect(fellBack.response.headers.get("x-gateway-fallback")).toBe("true");
  const badKey = await fx.client(proxy, "gwk_not_a_key").chat.completions.create({ model: "chat", messages: [{ role: "user", content: "hi" }] }).catch((error: { status?: number }) => error);
  expect((badKey as { status?: number }).status).toBe(401);
  const notAllowed = await fx.client(proxy, fx.keys.limited).chat.completions.create({ model: "fallback", messages: [{ role: "user", content: "hi" }] }).catch((error: { status?: number }) => error);
  expect((notAllowed as { status?: number }).status).toBe(404);
  expect((await fetch(`${proxy.url}/no/such/path/${Math.random()}`)).status).toBe(404);
  expect((await fetch(`${proxy.url}/v1/models`, { headers: { authorization: "Bearer gwk_not_a_key" } })).status).toBe(401);

  await waitFor(async () => value(await (await scrape(proxy, TOKEN)).text(), 'gateway_requests_settled_total{endpoint="chat.completions",status="ok"') >= 2, "two settled requests");
  const text = await (await scrape(proxy, TOKEN)).text();
  expect(value(text, 'gateway_http_requests_total{route="/v1/chat/completions",status="200"}')).toBe(2);
  expect(value(text, 'gateway_http_requests_total{route="/v1/chat/completions",status="401"}')).toBe(1);
  expect(value(text, 'gateway_http_requests_total{route="other",status="404"}')).toBe(1);
  expect(value(text, 'gateway_refusals_total{code="invalid_api_key"}')).toBe(2); // chat and models
  expect(value(text, 'gateway_refusals_total{code="model_not_found"}')).toBe(1);
  expect(value(text, 'gateway_requests_settled_total{endpoint="chat.completions",status="ok",code=""}')).toBe(2);
  expect(value(text, 'gateway_vendor_attempts_total{deployment="dep_error500",provider="openai",outcome="error",reason="status_500"}')).toBe(2);
  expect(value(text, 'gateway_vendor_attempts_total{deployment="dep_echo1",provider="openai",outcome="ok",reason=""}')).toBe(2);
  expect(value(text, 'gateway_fallbacks_total{alias="fallback"}')).toBe(1);
  expect(value(text, 'gateway_tokens_total{deployment="dep_echo1",class="input"}')).toBeGreaterThan(0);
  expect(value(text, 'gateway_tokens_total{deployment="dep_echo1",class="output"}')).toBeGreaterThan(0);
  expect(value(text, 'gateway_http_response_seconds_count{route="/v1/chat/completions"}')).toBe(4);
  expect(value(text, "gateway_snapshot_version")).toBe(1);
  expect(line(text, "gateway_usage_outbox_events")).toBeDefined();
  // The real outbox thread's status: up, never replaced.
  expect(value(text, "gateway_usage_outbox_thread_up")).toBe(1);
  expect(value(text, "gateway_usage_outbox_thread_restarts_total")).toBe(0);
  expect(value(text, "gateway_usage_outbox_quarantined_entries_total")).toBe(0);
  // Bounded labels only: no tenant, key, request id, or the scanner's path.
  expect(text).not.toContain("ten_a");
  expect(text).not.toContain("key_");
  expect(text).not.toContain("req_");
  expect(text).not.toContain("/no/such/path");
});

test("a code a vendor chose is labelled vendor_rejected: a vendor cannot make a series per answer", async () => {
  const quoting = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    development: false,
    fetch: () => Response.json({ error: { message: "no", type: "invalid_request_error", param: null, code: `quota_for_req_${Math.random()}` } }, { status: 400 }),
  });
  try {
    await fx.publish(
      fx.snapshot(2, (s) => {
        s.deployments.dep_codes = { id: "dep_codes", provider: "openai", baseUrl: `http://127.0.0.1:${quoting.port}/v1`, model: "m", region: "eu", credentialRef: "env:ECHO_KEY" };
        s.aliases.codes = { name: "codes", chain: ["dep_codes"] };
      }),
    );
    await waitFor(() => proxy.snapshotVersion() === 2, "snapshot 2");
    for (let i = 0; i < 3; i++) {
      const refused = await fx.client(proxy).chat.completions.create({ model: "codes", messages: [{ role: "user", content: "hi" }] }).catch((error: { status?: number }) => error);
      expect((refused as { status?: number }).status).toBe(400);
    }
    await waitFor(async () => value(await (await scrape(proxy, TOKEN)).text(), 'gateway_requests_settled_total{endpoint="chat.completions",status="error",code="vendor_rejected"}') === 3, "three vendor refusals");
    expect(await (await scrape(proxy, TOKEN)).text()).not.toContain("quota_for_req");
  } finally {
    quoting.stop(true);
  }
});

test("the usage outbox's whole status is scraped: quarantined entries, the thread's liveness and restarts, unconfirmed events and their age", async () => {
  const { metrics } = await import("./metrics.ts");
  const { createProxyMetrics } = await import("../metrics/proxy-metrics.ts");
  const status = { storedEvents: 7, maxStoredEvents: 1000, droppedEvents: 3, corruptEntries: 2, threadRunning: false, threadRestarts: 4, unconfirmedEvents: 250, oldestUnconfirmedAgeMs: 12_500, oldestUnshippedAgeMs: 400_000, flushFailures: 9 };
  const deps = {
    metricsToken: TOKEN,
    metrics: createProxyMetrics(),
    current: { version: () => 1, ageSeconds: () => 0, controlPlaneReachable: true },
    limits: {},
    inFlight: { size: () => 0 },
    usageOutbox: () => status,
  } as unknown as Parameters<typeof metrics>[2];
  const scrapeWith = () => metrics(new Request("http://proxy/metrics", { headers: { authorization: `Bearer ${TOKEN}` } }), "req", deps).text();
  const text = await scrapeWith();
  expect(value(text, "gateway_usage_outbox_events")).toBe(7);
  expect(value(text, "gateway_usage_outbox_dropped_events_total")).toBe(3);
  expect(value(text, "gateway_usage_outbox_quarantined_entries_total")).toBe(2);
  expect(value(text, "gateway_usage_outbox_thread_up")).toBe(0);
  expect(value(text, "gateway_usage_outbox_thread_restarts_total")).toBe(4);
  expect(value(text, "gateway_usage_outbox_unconfirmed_events")).toBe(250);
  expect(value(text, "gateway_usage_outbox_oldest_unconfirmed_seconds")).toBe(12.5);
  expect(value(text, "gateway_usage_outbox_oldest_unshipped_seconds")).toBe(400);
  expect(value(text, "gateway_usage_outbox_flush_failures_total")).toBe(9);
  expect(text).toContain("# TYPE gateway_usage_outbox_flush_failures_total counter");
  expect(text).toContain("# TYPE gateway_usage_outbox_quarantined_entries_total counter");
  expect(text).toContain("# TYPE gateway_usage_outbox_thread_up gauge");
  // Nothing waiting: the age reads 0, not a missing sample a dashboard would show as a gap.
  Object.assign(status, { threadRunning: true, unconfirmedEvents: 0, oldestUnconfirmedAgeMs: null });
  const idle = await scrapeWith();
  expect(value(idle, "gateway_usage_outbox_thread_up")).toBe(1);
  expect(value(idle, "gateway_usage_outbox_oldest_unconfirmed_seconds")).toBe(0);
});
