/**
 * A vendor that answers 503 (headers) and then stalls its error body is judged by its status once the
 * error body's wait (read-error-body.ts errorBodyWaitMs) runs out, the body reading as
 * ERROR_BODY_NOT_ARRIVED: a 503 the vendor did not serve, charged nothing, as the same 503 whose body
 * arrives. Before, its first-byte timer made it a `timeout`, a call the vendor "got and never answered"
 * (Trail.unansweredCalls), charged the prompt estimate, and the client got a 504.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { head, stalledErrorBody, startRawVendors } from "../testing/raw-vendor.ts";

let t: Awaited<ReturnType<typeof startRawVendors>>;
beforeAll(async () => {
  t = await startRawVendors(
    {
      dep_503_whole: { provider: "openai", script: (s) => { const b = '{"error":{"message":"busy"}}'; s.write(head("503 Service Unavailable", { "content-type": "application/json", "content-length": b.length }) + b); s.end(); } },
      dep_503_stalled: { provider: "openai", timeouts: { firstByteMs: 300 }, script: stalledErrorBody("503 Service Unavailable") },
    },
    { whole: ["dep_503_whole"], stalled: ["dep_503_stalled"] },
  );
});
afterAll(() => t?.stop());

async function streamedFailure(model: string) {
  const error = await t.client.chat.completions.create({ model, messages: [{ role: "user", content: "a prompt of some length to estimate" }], stream: true }, { maxRetries: 0 }).catch((e) => e);
  const event = await t.eventOf(error.headers?.get?.("x-request-id") ?? null);
  return { status: error.status, cost: event.costMicros, trail: event.attemptTrail?.map((s) => `${s.outcome}:${s.reason}`) };
}

test("a 503 whose body stalls is judged as the 503 whose body arrives: charged nothing, answered 502", async () => {
  const whole = await streamedFailure("whole");
  const stalled = await streamedFailure("stalled");
  expect(whole.cost).toBe(0);
  expect(stalled).toEqual(whole);
}, 30_000);
