/**
 * Two tools of one name: OpenAI takes them, Gemini refuses the whole request (400 INVALID_ARGUMENT
 * "Duplicate function declaration found: <name>"). Refused before the call naming the second
 * tools[j].function.name, so a chain skips Gemini for the next deployment; the fake refuses it as
 * Gemini does.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type OpenAI from "openai";
import { startFakeGemini } from "../../../test/fakes/gemini.ts";
import type { FakeVendor } from "../../../test/fakes/fake-server.ts";
import type { RunningProxy } from "../../main.ts";
import { createProxyFixture, REGION, type ProxyFixture } from "../../testing/proxy-fixture.ts";
import { sendChat } from "../../testing/vendor-behind-proxy.ts";

let fx: ProxyFixture;
let fake: FakeVendor;
let proxy: RunningProxy;
let client: OpenAI;
beforeAll(async () => {
  fx = await createProxyFixture();
  fake = await startFakeGemini({ apiKey: "gemini-key" });
  await fx.publish(
    fx.snapshot(1, (s) => {
      s.deployments.dep_g = { id: "dep_g", provider: "gemini", baseUrl: fake.url, model: "gemini-fake", region: REGION, credentialRef: "env:GEMINI_KEY" };
      s.aliases.gemini = { name: "gemini", chain: ["dep_g"] };
      s.aliases.down_gemini_echo = { name: "down_gemini_echo", chain: ["dep_error500", "dep_g", "dep_echo1"] };
    }),
  );
  proxy = await fx.startProxy({ credentials: { ECHO_KEY: "sk-echo-test", GEMINI_KEY: "gemini-key" } });
  client = fx.client(proxy);
});
afterAll(async () => {
  await fx?.cleanup();
  await fake?.stop();
});

const messages = [{ role: "user", content: "look it up" }];
const tool = (name: string) => ({ type: "function", function: { name, parameters: { type: "object", properties: { q: { type: "string" } } } } });

test("a name declared twice is a 400 naming the second, without a call to Gemini", async () => {
  const tools = [tool("search"), tool("lookup"), tool("search")];
  expect(await sendChat({ client, fake }, { model: "gemini", messages, tools })).toMatchObject({ refused: true, param: "tools[2].function.name" });
});

test("reached by fallback, Gemini is skipped for the next deployment, which answers", async () => {
  const tools = [tool("search"), tool("search")] as OpenAI.ChatCompletionTool[];
  const { response } = await client.chat.completions.create({ model: "down_gemini_echo", messages: [{ role: "user", content: "hi" }], tools }).withResponse();
  expect(response.status).toBe(200);
});

test("the fake refuses duplicate declarations with Gemini's 400, across tools too", async () => {
  for (const tools of [[{ functionDeclarations: [{ name: "search" }, { name: "search" }] }], [{ functionDeclarations: [{ name: "search" }] }, { functionDeclarations: [{ name: "search" }] }]]) {
    const res = await fetch(`${fake.url}/v1beta/models/gemini-fake:generateContent`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-goog-api-key": "gemini-key" },
      body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "hi" }] }], tools }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: unknown }).error).toMatchObject({ status: "INVALID_ARGUMENT", message: "Duplicate function declaration found: search" });
  }
});
