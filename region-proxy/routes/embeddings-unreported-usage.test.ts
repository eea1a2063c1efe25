/**
 * An OpenAI or Azure embeddings answer without usable usage is charged (and shows the client) the
 * cl100k count the request was reserved with, as a refused or unanswered call of it is: it was charged
 * one token per 4 characters, which base64, hashes or JSON exceed 2-3x (review fr2).
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
    // No usage block (a proxy in front of the vendor stripping it, an older compatible server).
    return Response.json({ object: "list", model: body.model, data: inputs.map((_, index) => ({ object: "embedding", index, embedding: [0.6, 0.8] })) });
  },
});

let fx: ProxyFixture;
let proxy: RunningProxy;
beforeAll(async () => {
  fx = await createProxyFixture();
  await fx.publish(
    fx.snapshot(1, (s) => {
      s.deployments.d_oai = { id: "d_oai", provider: "openai", baseUrl: `http://127.0.0.1:${vendor.port}/v1`, model: "text-embedding-3-small", region: REGION, credentialRef: "env:ECHO_KEY" };
      s.aliases.embed = { name: "embed", chain: ["d_oai"] };
      s.pricing["openai:text-embedding-3-small"] = { input: 1_000_000, output: 0 };
      s.keys[hashSecret(fx.keys.main)]!.budgets = { dailyMicros: 100_000, monthlyMicros: null };
    }),
  );
  proxy = await fx.startProxy();
});
afterAll(async () => {
  await fx.cleanup();
  vendor.stop(true);
});

test("an embeddings answer without usage is charged the cl100k estimate it was reserved with, not chars/4", async () => {
  const input = Buffer.from(new Uint8Array(2_700).map((_, i) => (i * 7919 + 13) % 251)).toString("base64");
  const real = encode(input).length;
  expect(real).toBeGreaterThan(Math.ceil(input.length / 4));
  const res = await fetch(`${proxy.url}/v1/embeddings`, { method: "POST", headers: { authorization: `Bearer ${fx.keys.main}`, "content-type": "application/json" }, body: JSON.stringify({ model: "embed", input }) });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { usage: { prompt_tokens: number } };
  const id = res.headers.get("x-request-id");
  await waitFor(() => fx.origin.events().some((e) => e.requestId === id), "usage event");
  const event = fx.origin.events().find((e) => e.requestId === id)!;
  // 1 µ$ a token: the charge is the count, at least the real one (the estimate bounds it from above).
  expect(event.costMicros).toBeGreaterThanOrEqual(real);
  expect(body.usage.prompt_tokens).toBe(event.costMicros);
});
