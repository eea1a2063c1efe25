/**
 * n > 1 reaching a Gemini 3 deployment by fallback: Gemini 3 refuses candidateCount > 1 ("Multiple
 * candidates is not enabled for this model", googleapis/js-genai#1609), so the proxy refuses it before
 * the call, and a deployment refused before the call is skipped, wherever it stands in the chain: the
 * next deployment of the chain answers. With no deployment that takes it, the caller gets a 400 naming n.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startFakeGemini } from "../../../test/fakes/gemini.ts";
import type { FakeVendor } from "../../../test/fakes/fake-server.ts";
import type { RunningProxy } from "../../main.ts";
import { createProxyFixture, REGION, type ProxyFixture } from "../../testing/proxy-fixture.ts";

let fx: ProxyFixture;
let gemini: FakeVendor;
let proxy: RunningProxy;
beforeAll(async () => {
  fx = await createProxyFixture();
  gemini = await startFakeGemini({ apiKey: "gemini-key" });
  await fx.publish(
    fx.snapshot(1, (s) => {
      s.deployments.dep_g3 = { id: "dep_g3", provider: "gemini", baseUrl: gemini.url, model: "gemini-3-pro-preview", region: REGION, credentialRef: "env:GEMINI_KEY" };
      s.aliases.three = { name: "three", chain: ["dep_error500", "dep_g3", "dep_echo1"] };
      s.aliases.g3first = { name: "g3first", chain: ["dep_g3", "dep_echo1"] };
      s.aliases.g3only = { name: "g3only", chain: ["dep_g3"] };
    }),
  );
  proxy = await fx.startProxy({ credentials: { ECHO_KEY: "sk-echo-test", GEMINI_KEY: "gemini-key" } });
});
afterAll(async () => {
  await fx?.cleanup();
  await gemini?.stop();
});

test("n: 2 on a chain [failing, gemini-3, healthy]: the healthy deployment answers", async () => {
  const answer = await fx.client(proxy).chat.completions.create({ model: "three", messages: [{ role: "user", content: "hi" }], n: 2 }).withResponse().catch((e: unknown) => e as { status: number; param?: string });
  expect("data" in (answer as object) ? 200 : (answer as { status: number }).status).toBe(200);
});

test("n: 2 on an alias whose first deployment is gemini-3: the next deployment answers, without a call to Gemini", async () => {
  const before = gemini.calls();
  const { response } = await fx.client(proxy).chat.completions.create({ model: "g3first", messages: [{ role: "user", content: "hi" }], n: 2 }).withResponse();
  expect([response.headers.get("x-gateway-provider"), response.headers.get("x-gateway-fallback")]).toEqual(["openai", "true"]);
  expect(gemini.calls()).toBe(before);
});

test("n: 2 on an alias of gemini-3 alone: a 400 naming n, without a call to Gemini", async () => {
  const before = gemini.calls();
  const error = await fx.client(proxy).chat.completions.create({ model: "g3only", messages: [{ role: "user", content: "hi" }], n: 2 }).catch((e: unknown) => e as { status: number; param?: string });
  expect([(error as { status: number }).status, (error as { param?: string }).param]).toEqual([400, "n"]);
  expect(gemini.calls()).toBe(before);
});
