/**
 * A non-streamed call whose vendor sends an error status's headers and then stalls its body: the
 * status is in, the vendor has decided, so the body (read only to refine the classification) is waited
 * for no longer than the deployment's first-byte budget, not the call's whole total timeout, and the
 * call is judged by its status alone (a 503: retried once, then the fallback answers), never as a
 * timeout. Before, each call waited its whole total for the body (20 s here).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { head, startRawVendors } from "../testing/raw-vendor.ts";

let t: Awaited<ReturnType<typeof startRawVendors>>;
beforeAll(async () => {
  t = await startRawVendors(
    {
      dep_503_stalled: {
        provider: "openai",
        timeouts: { firstByteMs: 300, totalMs: 20_000 },
        script: (s) => {
          s.write(head("503 Service Unavailable", { "content-type": "application/json", "content-length": 200 }) + '{"error":');
        },
      },
    },
    { stalled: ["dep_503_stalled", "dep_echo1"] },
  );
});
afterAll(() => t?.stop());

test("a non-streamed 503 whose body stalls is judged by its status within the first-byte budget: the fallback answers at once", async () => {
  const started = Date.now();
  const { data, response } = await t.client.chat.completions.create({ model: "stalled", messages: [{ role: "user", content: "hi" }] }, { maxRetries: 0 }).withResponse();
  const took = Date.now() - started;
  expect(data.choices[0]!.message.content).toBe("Echo: hi");
  expect(took).toBeLessThan(5_000);
  const event = await t.eventOf(response.headers.get("x-request-id"));
  expect(event.costMicros).toBeGreaterThan(0);
  expect(event.attemptTrail!.map((s) => `${s.deploymentId}:${s.outcome}:${s.reason}`)).toEqual(["dep_503_stalled:error:status_503", "dep_503_stalled:error:status_503", "dep_echo1:ok:null"]);
}, 60_000);
