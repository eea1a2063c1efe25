/**
 * Review rx X3: Gemini's batchEmbedContents answer with an empty `values` list is passed on as an
 * embedding of length 0 (200), where the same answer from OpenAI or Azure (`embedding: []`) is the
 * vendor breaking its protocol: 502 upstream_invalid_response (and the next deployment answers).
 * The README promises a 502 for "an answer without exactly one vector per input".
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { RunningProxy } from "../../main.ts";
import { createProxyFixture, REGION, type ProxyFixture } from "../../testing/proxy-fixture.ts";

const vendor = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  async fetch(request) {
    const body = (await request.json()) as { requests?: unknown[]; input?: unknown };
    if (new URL(request.url).pathname.endsWith(":batchEmbedContents")) return Response.json({ embeddings: (body.requests ?? []).map(() => ({ values: [] })) });
    return Response.json({ object: "list", model: "m", data: [{ object: "embedding", index: 0, embedding: [] }], usage: { prompt_tokens: 1, total_tokens: 1 } });
  },
});

let fx: ProxyFixture;
let proxy: RunningProxy;
beforeAll(async () => {
  fx = await createProxyFixture();
  await fx.publish(
    fx.snapshot(1, (s) => {
      s.deployments.g = { id: "g", provider: "gemini", baseUrl: `http://127.0.0.1:${vendor.port}`, model: "gemini-embedding-001", region: REGION, credentialRef: "env:ECHO_KEY" };
      s.deployments.o = { id: "o", provider: "openai", baseUrl: `http://127.0.0.1:${vendor.port}/v1`, model: "text-embedding-3-small", region: REGION, credentialRef: "env:ECHO_KEY" };
      s.aliases.gem = { name: "gem", chain: ["g"] };
      s.aliases.oai = { name: "oai", chain: ["o"] };
    }),
  );
  proxy = await fx.startProxy();
});
afterAll(async () => {
  await fx.cleanup();
  vendor.stop(true);
});

const call = async (model: string, encoding_format: string) => {
  const res = await fetch(`${proxy.url}/v1/embeddings`, { method: "POST", headers: { authorization: `Bearer ${fx.keys.main}`, "content-type": "application/json" }, body: JSON.stringify({ model, input: "hello", encoding_format }) });
  const json = (await res.json()) as { error?: { code: string }; data?: { embedding: unknown }[] };
  return { status: res.status, code: json.error?.code ?? null, embedding: json.data?.[0]?.embedding };
};

test("an empty vector is refused from Gemini as it is from OpenAI", async () => {
  expect(await call("oai", "float")).toMatchObject({ status: 502, code: "upstream_invalid_response" });
  expect(await call("gem", "float")).toMatchObject({ status: 502, code: "upstream_invalid_response" });
  expect(await call("gem", "base64")).toMatchObject({ status: 502, code: "upstream_invalid_response" });
});
