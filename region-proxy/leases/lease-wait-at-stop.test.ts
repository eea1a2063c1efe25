/**
 * A request still waiting in the limits step (leased-budgets.ts: for its budget's lease, up to
 * maxWaitMs) when a graceful stop's grace period ends: work in flight like any other, so the stop's
 * cut ends the wait and the request is answered 503 shutting_down (Retry-After 1, Connection: close),
 * with no vendor call, not left to the forced close that follows (a reset). Here the control plane
 * serves snapshots but never answers a lease request. Over real TCP sockets.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { hashSecret } from "../../shared/ids.ts";
import { LEASES_PATH } from "../../shared/leases/lease-wire.ts";
import { timedExchange } from "../../test/support/raw-http.ts";
import { createProxyFixture, REGION, type ProxyFixture } from "../testing/proxy-fixture.ts";

let fx: ProxyFixture;
let controlPlane: ReturnType<typeof Bun.serve>;
let leaseAsks = 0;
let answerLeases!: () => void;
const leasesHeld = new Promise<void>((resolve) => (answerLeases = resolve));

beforeAll(async () => {
  fx = await createProxyFixture();
  await fx.publish(
    fx.snapshot(1, (s) => {
      s.keys[hashSecret(fx.keys.main)]!.budgets = { dailyMicros: 1_000_000, monthlyMicros: null };
      s.deployments.dep_embed = { id: "dep_embed", provider: "openai", baseUrl: `${fx.vendor.url}/v1`, model: "text-embedding-3-small", region: REGION, credentialRef: "env:ECHO_KEY" };
      s.aliases.embed = { name: "embed", chain: ["dep_embed"] };
      s.pricing["openai:text-embedding-3-small"] = { input: 1_000_000, output: 0 };
    }),
  );
  // The fixture's control plane, except that a lease request is never answered (until the test ends).
  controlPlane = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: async (request) => {
      const url = new URL(request.url);
      if (url.pathname === LEASES_PATH) {
        leaseAsks++;
        await leasesHeld;
        return new Response(null, { status: 503 });
      }
      const body = request.method === "GET" || request.method === "HEAD" ? undefined : await request.arrayBuffer();
      return fetch(`${fx.origin.url}${url.pathname}${url.search}`, { method: request.method, headers: request.headers, body });
    },
  });
});
afterAll(async () => {
  answerLeases();
  await fx?.cleanup();
  controlPlane?.stop(true);
});

const raw = (path: string, requestId: string, body: string) =>
  `POST ${path} HTTP/1.1\r\nHost: proxy\r\nAuthorization: Bearer ${fx.keys.main}\r\nX-Request-Id: ${requestId}\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;

const CASES = [
  { route: "chat", path: "/v1/chat/completions", body: JSON.stringify({ model: "chat", messages: [{ role: "user", content: "hi there" }] }) },
  { route: "embeddings", path: "/v1/embeddings", body: JSON.stringify({ model: "embed", input: "hi there" }) },
];

for (const { route, path, body } of CASES) {
  test(`${route}: a request waiting for its budget's lease when the grace period ends is answered 503 shutting_down, not reset`, async () => {
    const vendorCalls = fx.vendor.calls();
    const proxy = await fx.startProxy({ controlPlaneUrl: `http://127.0.0.1:${controlPlane.port}`, shutdownGraceMs: 300, usageFlushMs: 60_000 });
    const asksBefore = leaseAsks;
    const requestId = `lease-wait-at-stop-${route}`;
    const exchange = timedExchange(proxy.port, raw(path, requestId, body), [], 0, 8_000);
    // Waiting in the limits step: its lease asked for, never answered (the wait is up to 3 s).
    for (let i = 0; i < 100 && leaseAsks === asksBefore; i++) await Bun.sleep(10);
    expect(leaseAsks).toBeGreaterThan(asksBefore);
    const started = performance.now();
    await proxy.stop();
    const { received, closed, afterMs } = await exchange;
    expect(received).toStartWith("HTTP/1.1 503");
    const [headers, answer] = received.split("\r\n\r\n");
    expect(headers!.toLowerCase()).toContain("retry-after: 1");
    expect(headers!.toLowerCase()).toContain("connection: close");
    expect(headers!.toLowerCase()).toContain(`x-request-id: ${requestId}`);
    expect(JSON.parse(answer!)).toEqual({ error: { message: "The gateway is shutting down; retry.", type: "server_error", param: null, code: "shutting_down" } });
    expect(closed).toBe(true);
    // Answered at the cut (grace 300 ms), not when the wait would have ended (3 s).
    expect(afterMs).toBeLessThan(2_000);
    expect(performance.now() - started).toBeLessThan(4_000);
    expect(fx.vendor.calls()).toBe(vendorCalls);
  }, 15_000);
}
