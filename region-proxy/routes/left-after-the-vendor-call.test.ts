/**
 * A client that leaves (or a call that times out) once the vendor has its prompt: the vendor works and
 * bills for it, so the request is charged its prompt estimate, as a stream cut short is. Before, an
 * unstreamed request left this way cost nothing and its reservation was released: a loop of "send,
 * disconnect" spent vendor money under any budget.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { hashSecret } from "../../shared/ids.ts";
import type { RunningProxy } from "../main.ts";
import { estimatePromptTokens } from "../limits/estimate-prompt-tokens.ts";
import { estimateEmbeddingInputTokens } from "../limits/estimate-embedding-tokens.ts";
import { createProxyFixture, REGION, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";

let received = 0;
let vendor: ReturnType<typeof Bun.serve>;
let fx: ProxyFixture;
let proxy: RunningProxy;
const PROMPT = "tell me a long story about budgets";
const EMBED_INPUT = "a text to embed that the vendor reads in full before it answers";

beforeAll(async () => {
  // A vendor that takes its time over every answer (it never comes before the client leaves).
  vendor = Bun.serve({
    port: 0,
    async fetch(req) {
      await req.json();
      received++;
      await Bun.sleep(3_000);
      return new Response("late", { status: 500 });
    },
  });
  fx = await createProxyFixture();
  await fx.publish(
    fx.snapshot(1, (s) => {
      s.deployments.dep_slowgen = { id: "dep_slowgen", provider: "openai", baseUrl: `http://127.0.0.1:${vendor.port}/v1`, model: "gpt-4o", region: REGION, credentialRef: "env:ECHO_KEY" };
      s.aliases.slowgen = { name: "slowgen", chain: ["dep_slowgen"] };
      s.pricing["openai:gpt-4o"] = { input: 2_500_000, output: 10_000_000 };
      s.pricing["openai:hang"] = { input: 2_500_000, output: 10_000_000 };
      // "broken" (error-500) is priced too: a budgeted request never reaches an unpriced deployment (pipeline/priced-targets.ts).
      s.pricing["openai:error-500"] = { input: 2_500_000, output: 10_000_000 };
      s.keys[hashSecret(fx.keys.main)]!.budgets = { dailyMicros: 1_000_000, monthlyMicros: null };
    }),
  );
  proxy = await fx.startProxy({ firstByteTimeoutMs: 5_000 });
});
afterAll(async () => {
  await fx.cleanup();
  vendor.stop(true);
});

async function leaveOnceSent(path: string, requestId: string, body: object): Promise<void> {
  const before = received;
  const leave = new AbortController();
  const pending = fetch(`${proxy.url}${path}`, {
    method: "POST",
    signal: leave.signal,
    headers: { authorization: `Bearer ${fx.keys.main}`, "content-type": "application/json", "x-request-id": requestId },
    body: JSON.stringify(body),
  }).catch((e) => e);
  await waitFor(() => received > before, "the vendor got the prompt");
  leave.abort();
  await pending;
  await waitFor(() => fx.origin.events().some((e) => e.requestId === requestId), "usage event");
}

test("an unstreamed chat request whose client leaves after the vendor got it: client_closed, charged the prompt estimate", async () => {
  await leaveOnceSent("/v1/chat/completions", "req-chat-leaver", { model: "slowgen", messages: [{ role: "user", content: PROMPT }], max_tokens: 4_000 });
  const event = fx.origin.events().find((e) => e.requestId === "req-chat-leaver")!;
  const estimate = estimatePromptTokens({ model: "slowgen", messages: [{ role: "user", content: PROMPT }], stream: false, includeUsage: false, raw: {} }, "gpt-4o");
  expect(event).toMatchObject({ status: "client_closed", errorCode: "client_closed", stream: false, attempts: 1 });
  expect(event.usage).toMatchObject({ inputTokens: estimate, outputTokens: 0 });
  expect(event.costMicros).toBeGreaterThanOrEqual(Math.floor(estimate * 2.5));
});

test("an embeddings request whose client leaves after the vendor got it is charged its input estimate", async () => {
  await leaveOnceSent("/v1/embeddings", "req-embed-leaver", { model: "slowgen", input: EMBED_INPUT });
  const event = fx.origin.events().find((e) => e.requestId === "req-embed-leaver")!;
  expect(event).toMatchObject({ status: "client_closed", endpoint: "embeddings" });
  // The OpenAI deployment's input, counted with its model's BPE, as the reservation counted it.
  const deployment = { id: "dep_slowgen", provider: "openai", baseUrl: "", model: "gpt-4o", region: REGION, credentialRef: "env:ECHO_KEY" } as const;
  expect(event.usage).toMatchObject({ inputTokens: estimateEmbeddingInputTokens(EMBED_INPUT, deployment), outputTokens: 0 });
  expect(event.costMicros).toBeGreaterThan(0);
});

test("a call that timed out at the vendor is charged the prompt estimate too; one the vendor answered with an error is not", async () => {
  const quick = await fx.startProxy({ dataDir: fx.freshDataDir(), firstByteTimeoutMs: 100, totalTimeoutMs: 2_000 });
  const res = await fetch(`${quick.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${fx.keys.main}`, "content-type": "application/json", "x-request-id": "req-timed-out" },
    body: JSON.stringify({ model: "hang", messages: [{ role: "user", content: PROMPT }], max_tokens: 10 }),
  });
  expect(res.status).toBe(504);
  await waitFor(() => fx.origin.events().some((e) => e.requestId === "req-timed-out"), "usage event");
  const event = fx.origin.events().find((e) => e.requestId === "req-timed-out")!;
  expect(event).toMatchObject({ status: "error", errorCode: "upstream_timeout" });
  expect(event.usage.inputTokens).toBe(estimatePromptTokens({ model: "hang", messages: [{ role: "user", content: PROMPT }], stream: false, includeUsage: false, raw: {} }, "hang"));
  expect(event.costMicros).toBeGreaterThan(0);

  // The vendor answered (a 500, twice): it did no work to bill, nothing charged.
  const refused = await fetch(`${proxy.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${fx.keys.main}`, "content-type": "application/json", "x-request-id": "req-vendor-failed" },
    body: JSON.stringify({ model: "broken", messages: [{ role: "user", content: PROMPT }], max_tokens: 10 }),
  });
  expect(refused.status).toBe(502);
  await waitFor(() => fx.origin.events().some((e) => e.requestId === "req-vendor-failed"), "usage event");
  expect(fx.origin.events().find((e) => e.requestId === "req-vendor-failed")).toMatchObject({ status: "error", costMicros: 0, usage: { inputTokens: 0, outputTokens: 0 } });
});
