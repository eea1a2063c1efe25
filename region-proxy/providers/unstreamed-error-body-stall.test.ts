/**
 * A call (non-streamed, and a stream below) whose vendor sends an error status's headers and then
 * stalls its body: the status is in, the vendor has decided, so the body (read only to refine the
 * classification) is waited for no longer than read-error-body.ts errorBodyWaitMs, not the call's
 * whole total timeout, and the call is judged by its status alone (a 503: retried once, then the
 * fallback answers), never as a timeout. Before, each call waited its whole total for the body (20 s
 * here).
 *
 * The wait is the deployment's first-byte timeout capped at the proxy's default
 * (VENDOR_FIRST_BYTE_TIMEOUT_MS, 2 s in the fixture), streamed or not: a thinking deployment's long
 * first-byte timeout is for the model's thinking, and an error body comes right after its headers.
 * Before the cap, a deployment with firstByteMs 600 s held a stalled 503's body for its whole total.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { stalledErrorBody, startRawVendors } from "../testing/raw-vendor.ts";

let t: Awaited<ReturnType<typeof startRawVendors>>;
beforeAll(async () => {
  const stalled503 = stalledErrorBody("503 Service Unavailable");
  t = await startRawVendors(
    {
      dep_503_stalled: { provider: "openai", timeouts: { firstByteMs: 300, totalMs: 20_000 }, script: stalled503 },
      // A thinking deployment: a first-byte timeout far above the proxy's default (2 s in the fixture).
      dep_thinking_503_stalled: { provider: "openai", timeouts: { firstByteMs: 600_000, totalMs: 20_000 }, script: stalled503 },
    },
    { stalled: ["dep_503_stalled", "dep_echo1"], thinking: ["dep_thinking_503_stalled", "dep_echo1"] },
  );
});
afterAll(() => t?.stop());

test("a non-streamed 503 whose body stalls is judged by its status within errorBodyWaitMs (its first-byte timeout, 300 ms, under the default): the fallback answers at once", async () => {
  const started = Date.now();
  const { data, response } = await t.client.chat.completions.create({ model: "stalled", messages: [{ role: "user", content: "hi" }] }, { maxRetries: 0 }).withResponse();
  const took = Date.now() - started;
  expect(data.choices[0]!.message.content).toBe("Echo: hi");
  // Two waits of 300 ms and a backoff (~0.8 s); the default's 2 s each would take ~4.2 s.
  expect(took).toBeLessThan(3_000);
  const event = await t.eventOf(response.headers.get("x-request-id"));
  expect(event.costMicros).toBeGreaterThan(0);
  expect(event.attemptTrail!.map((s) => `${s.deploymentId}:${s.outcome}:${s.reason}`)).toEqual(["dep_503_stalled:error:status_503", "dep_503_stalled:error:status_503", "dep_echo1:ok:null"]);
}, 60_000);

test("a thinking deployment's stalled 503 body is waited for no longer than the default first-byte timeout: the fallback answers", async () => {
  const started = Date.now();
  const { data, response } = await t.client.chat.completions.create({ model: "thinking", messages: [{ role: "user", content: "hi" }] }, { maxRetries: 0 }).withResponse();
  const took = Date.now() - started;
  expect(data.choices[0]!.message.content).toBe("Echo: hi");
  // Two calls of about 2 s each and a backoff; before, each call held the body for its whole 20 s.
  expect(took).toBeLessThan(10_000);
  const event = await t.eventOf(response.headers.get("x-request-id"));
  expect(event.attemptTrail!.map((s) => `${s.deploymentId}:${s.outcome}:${s.reason}`)).toEqual(["dep_thinking_503_stalled:error:status_503", "dep_thinking_503_stalled:error:status_503", "dep_echo1:ok:null"]);
}, 60_000);

test("a thinking deployment's stalled 503 body on a stream: the same cap, the fallback streams the answer", async () => {
  const started = Date.now();
  const stream = await t.client.chat.completions.create({ model: "thinking", messages: [{ role: "user", content: "hi" }], stream: true }, { maxRetries: 0 });
  let text = "";
  for await (const chunk of stream) text += chunk.choices[0]?.delta?.content ?? "";
  expect(text).toBe("Echo: hi");
  expect(Date.now() - started).toBeLessThan(10_000);
}, 60_000);
