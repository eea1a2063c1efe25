import { afterAll, beforeAll, expect, test } from "bun:test";
import OpenAI from "openai";
import { startFakeAnthropic } from "../../test/fakes/anthropic.ts";
import type { FakeVendor } from "../../test/fakes/fake-server.ts";
import { startFakeOpenAI, type FakeOpenAI } from "../../test/fakes/openai.ts";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, REGION, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";

// /v1/embeddings runs the chat pipeline's steps: its own route-level behaviour is tested here, the
// per-vendor wire formats in test/conformance.
let fx: ProxyFixture;
let openai: FakeOpenAI;
// The same model on a second server that is down: a fallback stays on one embedding model.
let openaiDown: FakeOpenAI;
let anthropic: FakeVendor;
let proxy: RunningProxy;

beforeAll(async () => {
  fx = await createProxyFixture();
  openai = await startFakeOpenAI({ apiKey: "sk-openai-fake" });
  openaiDown = await startFakeOpenAI({ apiKey: "sk-openai-fake" });
  openaiDown.setOutage("text-embedding-fake", 500);
  anthropic = await startFakeAnthropic({ apiKey: "sk-ant-fake" });
  await fx.publish(
    fx.snapshot(1, (s) => {
      const dep = (id: string, provider: "openai" | "anthropic", baseUrl: string, model: string, credentialRef: string) => (s.deployments[id] = { id, provider, baseUrl, model, region: REGION, credentialRef });
      dep("dep_claude", "anthropic", anthropic.url, "claude-fake", "env:ANTHROPIC_KEY");
      dep("dep_embed_down", "openai", `${openaiDown.url}/v1`, "text-embedding-fake", "env:OPENAI_KEY");
      dep("dep_embed", "openai", `${openai.url}/v1`, "text-embedding-fake", "env:OPENAI_KEY");
      s.aliases.mixed = { name: "mixed", chain: ["dep_claude", "dep_embed_down", "dep_embed"] };
      s.pricing["openai:text-embedding-fake"] = { input: 1_000_000, output: 0 };
    }),
  );
  proxy = await fx.startProxy({ credentials: { ANTHROPIC_KEY: "sk-ant-fake", OPENAI_KEY: "sk-openai-fake" } });
});
afterAll(async () => {
  await fx.cleanup();
  await openai.stop();
  await openaiDown.stop();
  await anthropic.stop();
});

test("only deployments that offer embeddings are planned; a failing one falls back; the event says embeddings", async () => {
  const before = anthropic.calls();
  const { data, response } = await fx.client(proxy).embeddings.create({ model: "mixed", input: ["alpha", "beta"] }).withResponse();
  expect(data.data.length).toBe(2);
  expect(anthropic.calls()).toBe(before);
  expect(response.headers.get("x-gateway-model")).toBe("text-embedding-fake");
  expect(response.headers.get("x-gateway-fallback")).toBe("true");
  const id = response.headers.get("x-request-id");
  await waitFor(() => fx.origin.events().some((e) => e.requestId === id), "usage event");
  const event = fx.origin.events().find((e) => e.requestId === id)!;
  expect(event).toMatchObject({ endpoint: "embeddings", status: "ok", deploymentId: "dep_embed", fallback: true });
  expect(event.attemptTrail!.map((s) => s.deploymentId)).toEqual(["dep_embed_down", "dep_embed_down", "dep_embed"]);
  expect(event.costMicros).toBeGreaterThan(0);
});

test("bad input names the param; unknown alias is 404; GET is 404 unknown_url (OpenAI has no such endpoint); a wrong key is 401", async () => {
  const bad = await fx.client(proxy).embeddings.create({ model: "mixed", input: [] as string[] }).catch((e) => e);
  expect(bad).toBeInstanceOf(OpenAI.BadRequestError);
  expect(bad.param).toBe("input");
  const unknown = await fx.client(proxy).embeddings.create({ model: "nope", input: "x" }).catch((e) => e);
  expect(unknown).toBeInstanceOf(OpenAI.NotFoundError);
  const get = await fetch(`${proxy.url}/v1/embeddings`, { headers: { authorization: `Bearer ${fx.keys.main}` } });
  expect(get.status).toBe(404);
  expect(((await get.json()) as { error: { code: string } }).error.code).toBe("unknown_url");
  const key = await fx.client(proxy, "gw_wrong").embeddings.create({ model: "mixed", input: "x" }).catch((e) => e);
  expect(key).toBeInstanceOf(OpenAI.AuthenticationError);
});
