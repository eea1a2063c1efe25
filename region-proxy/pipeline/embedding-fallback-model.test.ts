/**
 * Review rx X1: an alias whose chain holds an OpenAI embedding deployment and a Gemini one answers
 * vectors of one model (and size) when the first is up and of another model (and size) when it fails
 * over. A client that stores the vectors (a vector index) gets vectors from two incomparable spaces,
 * of two lengths, under one model name, with only x-gateway-fallback to tell. Embeddings must not
 * fall back to a different embedding model: same length and model or an error.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startFakeGemini } from "../../test/fakes/gemini.ts";
import type { FakeVendor } from "../../test/fakes/fake-server.ts";
import { startFakeOpenAI, type FakeOpenAI } from "../../test/fakes/openai.ts";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, REGION, type ProxyFixture } from "../testing/proxy-fixture.ts";

let fx: ProxyFixture;
let oai: FakeOpenAI;
let gem: FakeVendor;
let proxy: RunningProxy;
beforeAll(async () => {
  fx = await createProxyFixture();
  oai = await startFakeOpenAI({ apiKey: "k-oai" });
  gem = await startFakeGemini({ apiKey: "k-gem" });
  await fx.publish(
    fx.snapshot(1, (s) => {
      s.deployments.d_oai = { id: "d_oai", provider: "openai", baseUrl: `${oai.url}/v1`, model: "text-embedding-3-small", region: REGION, credentialRef: "env:OAI" };
      s.deployments.d_gem = { id: "d_gem", provider: "gemini", baseUrl: gem.url, model: "gemini-embedding-001", region: REGION, credentialRef: "env:GEM" };
      s.aliases.embed = { name: "embed", chain: ["d_oai", "d_gem"] };
    }),
  );
  proxy = await fx.startProxy({ credentials: { OAI: "k-oai", GEM: "k-gem" } });
});
afterAll(async () => {
  await fx.cleanup();
  await oai.stop();
  await gem.stop();
});

test("a fallback never answers vectors of another embedding model under the same alias", async () => {
  const client = fx.client(proxy);
  const first = await client.embeddings.create({ model: "embed", input: "the same text" });
  const size = first.data[0]!.embedding.length;
  oai.setOutage("text-embedding-3-small", 503);
  try {
    const during = await client.embeddings
      .create({ model: "embed", input: "the same text" })
      .withResponse()
      .then(({ data, response }) => ({ model: data.model, size: data.data[0]!.embedding.length, fallback: response.headers.get("x-gateway-fallback") }))
      .catch((e: Error) => ({ error: e.message }));
    // Either an error (no deployment of the same model answered) or a vector of the same model and size.
    if (!("error" in during)) expect({ model: during.model, size: during.size }).toEqual({ model: first.model, size });
    // Here no other deployment serves text-embedding-3-small: an error, and Gemini never asked.
    expect("error" in during).toBe(true);
    expect(gem.calls()).toBe(0);
  } finally {
    oai.setOutage("text-embedding-3-small", null);
  }
});
