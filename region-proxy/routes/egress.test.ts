import { afterAll, beforeAll, expect, test } from "bun:test";
import OpenAI from "openai";
import { startFakeOpenAI, type FakeOpenAI } from "../../test/fakes/openai.ts";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";

// Upstream URLs come only from approved deployments: nothing in a request (model, body fields,
// headers) can choose or alter where the proxy connects. `evil` is a vendor no deployment names.
let fx: ProxyFixture;
let evil: FakeOpenAI;
let proxy: RunningProxy;

beforeAll(async () => {
  fx = await createProxyFixture();
  evil = await startFakeOpenAI({ apiKey: "sk-echo-test" });
  await fx.publish(fx.snapshot(1));
  proxy = await fx.startProxy();
});
afterAll(async () => {
  await fx.cleanup();
  await evil.stop();
});

test("a path-like model is an unknown alias: 404, no vendor called", async () => {
  const before = fx.vendor.calls("echo-1");
  for (const model of ["../../evil", "chat/../../evil", `${evil.url}/v1`, "chat?x=1", "chat#x"]) {
    const error = await fx.client(proxy).chat.completions.create({ model, messages: [{ role: "user", content: "hi" }] }).catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.NotFoundError);
  }
  expect(fx.vendor.calls("echo-1")).toBe(before);
  expect(evil.calls()).toBe(0);
});

test("baseURL-ish body fields and headers change nothing: the approved deployment answers", async () => {
  const before = fx.vendor.calls("echo-1");
  const body = { model: "chat", messages: [{ role: "user" as const, content: "hi" }], baseURL: `${evil.url}/v1`, url: evil.url, endpoint: evil.url };
  const headers = { "x-base-url": evil.url, "x-forwarded-host": new URL(evil.url).host, "x-gateway-deployment": "evil" };
  const { data, response } = await fx.client(proxy).chat.completions.create(body as OpenAI.ChatCompletionCreateParamsNonStreaming, { headers }).withResponse();
  expect(data.choices[0]!.message.content).toBe("Echo: hi");
  expect(response.headers.get("x-gateway-model")).toBe("echo-1");
  const embedded = await fetch(`${proxy.url}/v1/embeddings`, { method: "POST", headers: { authorization: `Bearer ${fx.keys.main}`, ...headers }, body: JSON.stringify({ model: "chat", input: "x", baseURL: evil.url }) });
  expect(embedded.status).toBeLessThan(500);
  expect(fx.vendor.calls("echo-1")).toBeGreaterThan(before);
  expect(evil.calls()).toBe(0);
});

test("the fields by which an OpenAI-compatible relay (LiteLLM) takes another upstream are a 400 naming them, no vendor called", async () => {
  const before = fx.vendor.calls("echo-1");
  for (const [field, value] of [["base_url", `${evil.url}/v1`], ["api_base", evil.url], ["api_key", "sk-elsewhere"]] as const) {
    const error = await fx.client(proxy).chat.completions.create({ model: "chat", messages: [{ role: "user", content: "hi" }], [field]: value } as OpenAI.ChatCompletionCreateParamsNonStreaming).catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.BadRequestError);
    expect(error.param).toBe(field);
  }
  expect(fx.vendor.calls("echo-1")).toBe(before);
  expect(evil.calls()).toBe(0);
});

test("a vendor redirect is not followed: the redirect target is never called", async () => {
  const redirector = Bun.serve({ port: 0, hostname: "127.0.0.1", development: false, fetch: () => Response.redirect(`${evil.url}/v1/chat/completions`, 307), error: () => new Response("x", { status: 500 }) });
  try {
    await fx.publish(
      fx.snapshot(2, (s) => {
        s.deployments.dep_redirect = { id: "dep_redirect", provider: "openai", baseUrl: `http://127.0.0.1:${redirector.port}/v1`, model: "gpt-x", region: s.region, credentialRef: "env:ECHO_KEY" };
        s.aliases.redirect = { name: "redirect", chain: ["dep_redirect"] };
      }),
    );
    await waitFor(() => proxy.snapshotVersion() === 2, "the proxy runs snapshot 2");
    const error = await fx.client(proxy).chat.completions.create({ model: "redirect", messages: [{ role: "user", content: "hi" }] }).catch((e) => e);
    expect(error.status).toBe(502);
    expect(evil.calls()).toBe(0);
  } finally {
    await redirector.stop(true);
  }
});
