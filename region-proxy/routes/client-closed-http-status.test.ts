/**
 * Review rq Q1: a client that disconnects before its answer is counted in gateway_http_requests_total
 * (and gateway_http_response_seconds) as a 502 the gateway never sent, while its usage event and
 * gateway_requests_settled_total say client_closed. A 5xx-rate alert fired on clients hanging up. They are counted as 499 now
 * (server.ts answeredStatus), as nginx and Envoy count them.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { RunningProxy } from "../main.ts";
import { startProxyOnBaseSnapshot, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";

const TOKEN = "scrape-rq-client-closed-0123456789";
let fx: ProxyFixture;
let proxy: RunningProxy;
beforeAll(async () => {
  ({ fx, proxy } = await startProxyOnBaseSnapshot({ metricsToken: TOKEN, firstByteTimeoutMs: 5_000, totalTimeoutMs: 10_000 }));
});
afterAll(() => fx?.cleanup());

const scrape = () => fetch(`${proxy.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } }).then((r) => r.text());

test("a request whose client left while its vendor worked is not counted as a 502 answer", async () => {
  for (const stream of [false, true]) {
    const hangCallsBefore = fx.vendor.calls("hang");
    const left = new AbortController();
    const sent = fetch(`${proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${fx.keys.main}`, "content-type": "application/json", "x-request-id": `rq-left-${stream}` },
      body: JSON.stringify({ model: "hang", stream, messages: [{ role: "user", content: "hi" }] }),
      signal: left.signal,
    }).catch(() => null);
    // The client leaves once the vendor is working on its call.
    await waitFor(() => fx.vendor.calls("hang") === hangCallsBefore + 1, "the vendor to receive the call");
    left.abort();
    await sent;
    await waitFor(() => fx.origin.events().some((e) => e.requestId === `rq-left-${stream}`), "usage event");
    expect(fx.origin.events().find((e) => e.requestId === `rq-left-${stream}`)!.status).toBe("client_closed");
  }
  await waitFor(async () => (await scrape()).includes('gateway_http_requests_total{route="/v1/chat/completions"'), "the answers counted");
  const text = await scrape();
  expect(text).toContain('gateway_requests_settled_total{endpoint="chat.completions",status="client_closed",code="client_closed"} 2');
  // Nothing was answered with a 502: the gateway never sent one (nginx and Envoy count these as 499).
  const answered = text.split("\n").filter((l) => l.startsWith('gateway_http_requests_total{route="/v1/chat/completions"'));
  expect(answered.filter((l) => l.includes('status="502"'))).toEqual([]);
  expect(answered).toContain('gateway_http_requests_total{route="/v1/chat/completions",status="499"} 2');
});
