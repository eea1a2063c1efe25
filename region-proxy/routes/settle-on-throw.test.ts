/**
 * A defect inside the vendor step (here: the credential store throws) is answered as a 500, and the
 * request is still settled: its budget reservation is released at once, not held until it expires,
 * and its usage event is written as an internal error.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { hashSecret } from "../../shared/ids.ts";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";

let fx: ProxyFixture;
let proxy: RunningProxy;
let credentialStoreBroken = false;
beforeAll(async () => {
  fx = await createProxyFixture();
  // Room for one request's reservation (prompt + 1,000 output tokens at 2 micro-USD) but not two.
  await fx.publish(fx.snapshot(1, (s) => void (s.keys[hashSecret(fx.keys.main)]!.budgets = { dailyMicros: 3_000 })));
  const credentials = {
    get ECHO_KEY() {
      if (credentialStoreBroken) throw new Error("credential store exploded");
      return "sk-echo-test";
    },
  };
  proxy = await fx.startProxy({ credentials: credentials as Record<string, string> });
});
afterAll(() => fx.cleanup());

const ask = (requestId: string) =>
  fetch(`${proxy.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${fx.keys.main}`, "x-request-id": requestId },
    body: JSON.stringify({ model: "chat", messages: [{ role: "user", content: "hi" }], max_tokens: 1_000 }),
  });

test("a throw in the vendor step releases the reservation and writes the usage event", async () => {
  credentialStoreBroken = true;
  const crashed = await ask("crashing-request");
  expect(crashed.status).toBe(500);
  expect(((await crashed.json()) as { error: { code: string } }).error.code).toBe("internal_error");

  credentialStoreBroken = false;
  // Held, the crashed request's reservation would leave no room for this one (429 insufficient_quota).
  const next = await ask("next-request");
  expect(next.status).toBe(200);

  await waitFor(() => fx.origin.events().some((e) => e.requestId === "crashing-request"), "the crashed request's event delivered");
  expect(fx.origin.events().find((e) => e.requestId === "crashing-request")).toMatchObject({ status: "error", errorCode: "internal_error", costMicros: 0 });
});
