/**
 * Review rx X2: an OpenAI embeddings request is reserved (budget and TPM) at chars/4, where chat
 * reserves OpenAI prompts with the real BPE (gpt-tokenizer). For identifiers, hashes, base64, JSON or
 * code, which are common embedding inputs, cl100k counts 2-3x that, so a key under a 1,000 µ$ budget
 * is admitted a request the vendor bills ~2,900 µ$ for. The vendor here counts as OpenAI does
 * (cl100k_base, what text-embedding-3 bills with).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { encode } from "gpt-tokenizer/encoding/cl100k_base";
import { hashSecret } from "../../shared/ids.ts";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, REGION, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";

const vendor = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  async fetch(request) {
    const body = (await request.json()) as { model: string; input: string | string[] };
    const inputs = typeof body.input === "string" ? [body.input] : body.input;
    const tokens = inputs.reduce((n, t) => n + encode(t).length, 0);
    return Response.json({ object: "list", model: body.model, data: inputs.map((_, index) => ({ object: "embedding", index, embedding: [0.6, 0.8] })), usage: { prompt_tokens: tokens, total_tokens: tokens } });
  },
});

let fx: ProxyFixture;
let proxy: RunningProxy;
const CAP = 1_000; // µ$ a day; 1 µ$ per input token
beforeAll(async () => {
  fx = await createProxyFixture();
  await fx.publish(
    fx.snapshot(1, (s) => {
      s.deployments.d_oai = { id: "d_oai", provider: "openai", baseUrl: `http://127.0.0.1:${vendor.port}/v1`, model: "text-embedding-3-small", region: REGION, credentialRef: "env:ECHO_KEY" };
      s.aliases.embed = { name: "embed", chain: ["d_oai"] };
      s.pricing["openai:text-embedding-3-small"] = { input: 1_000_000, output: 0 };
      s.keys[hashSecret(fx.keys.main)]!.budgets = { dailyMicros: CAP, monthlyMicros: null };
    }),
  );
  proxy = await fx.startProxy();
});
afterAll(async () => {
  await fx.cleanup();
  vendor.stop(true);
});

test("an OpenAI embeddings request is not admitted under a budget it costs several times", async () => {
  // 3,600 characters of base64 (a document id list, hashes, an encoded blob): 900 by chars/4.
  const input = Buffer.from(new Uint8Array(2_700).map((_, i) => (i * 7919 + 13) % 251)).toString("base64");
  const real = encode(input).length;
  expect(real).toBeGreaterThan(CAP);
  const res = await fetch(`${proxy.url}/v1/embeddings`, { method: "POST", headers: { authorization: `Bearer ${fx.keys.main}`, "content-type": "application/json" }, body: JSON.stringify({ model: "embed", input }) });
  const id = res.headers.get("x-request-id");
  if (res.status === 200) {
    await waitFor(() => fx.origin.events().some((e) => e.requestId === id), "usage event");
    const event = fx.origin.events().find((e) => e.requestId === id)!;
    // What the budget let through must fit it.
    expect({ status: res.status, costMicros: event.costMicros }).toEqual({ status: 200, costMicros: expect.any(Number) });
    expect(event.costMicros).toBeLessThanOrEqual(CAP);
  } else {
    expect(res.status).toBe(429);
  }
});
