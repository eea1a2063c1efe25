/**
 * A 2xx that is no API answer (a text/html page from a WAF, captive portal or load balancer, or a
 * 204/205 with no body) is an unbilled transient failure, reason not_api_response (attempt-outcome.ts
 * notApiResponse), judged before the answer counts as the vendor's: charged nothing, as the same page
 * with status 503 is; retried and fallen back as any transient failure. Before, each call was charged
 * the prompt estimate as a refused answer the vendor billed.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { head, startRawVendors } from "../testing/raw-vendor.ts";

const page = "<!DOCTYPE html><html><head><title>Access denied</title></head><body>Request blocked by firewall</body></html>";
const answer = (status: string, contentType = "text/html; charset=utf-8", body = page) => (s: { write(x: string): unknown; end(): void }) => { s.write(head(status, { "content-type": contentType, "content-length": body.length }) + body); s.end(); };
let t: Awaited<ReturnType<typeof startRawVendors>>;
beforeAll(async () => {
  t = await startRawVendors(
    {
      dep_waf200: { provider: "openai", script: answer("200 OK") },
      dep_waf503: { provider: "openai", script: answer("503 Service Unavailable") },
      dep_204: { provider: "openai", script: answer("204 No Content", "application/json", "") },
    },
    { waf200: ["dep_waf200"], waf503: ["dep_waf503"], empty204: ["dep_204"], waf_then_echo: ["dep_waf200", "dep_echo1"] },
  );
});
afterAll(() => t?.stop());

async function charged(model: string, stream: boolean) {
  const error = await t.client.chat.completions.create({ model, messages: [{ role: "user", content: "a prompt long enough to have a price estimate" }], stream }, { maxRetries: 0 }).catch((e) => e);
  const event = await t.eventOf(error.headers?.get?.("x-request-id") ?? null);
  return { status: error.status, code: error.code, cost: event.costMicros, trail: event.attemptTrail?.map((s) => `${s.outcome}:${s.reason}`) };
}

for (const stream of [false, true]) {
  test(`an HTML page or a 204 with a 2xx status is charged what the same page with 503 is: nothing (${stream ? "streamed" : "unstreamed"})`, async () => {
    const ok = await charged("waf200", stream);
    const unavailable = await charged("waf503", stream);
    const empty = await charged("empty204", stream);
    expect(unavailable.cost).toBe(0);
    expect(ok.cost).toBe(0);
    expect(empty.cost).toBe(0);
    // Tried and retried as the 503 page is: the same calls, each ended not_api_response (an empty trail would hide that).
    expect(unavailable.trail).toEqual(["error:status_503", "error:status_503"]);
    expect(ok.trail).toEqual(["error:not_api_response", "error:not_api_response"]);
    expect(empty.trail).toEqual(["error:not_api_response", "error:not_api_response"]);
  }, 30_000);
}

test("the next deployment answers after an HTML page", async () => {
  const answer = await t.client.chat.completions.create({ model: "waf_then_echo", messages: [{ role: "user", content: "hi" }] });
  expect(typeof answer.choices[0]!.message.content).toBe("string");
});
