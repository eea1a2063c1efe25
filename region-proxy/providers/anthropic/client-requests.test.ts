/**
 * Requests an OpenAI client may send, through a real proxy to the fake Anthropic, read through the
 * official SDK: what the translation must accept (200) and what it must refuse (400 naming the param).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type OpenAI from "openai";
import { startFakeAnthropic } from "../../../test/fakes/anthropic.ts";
import type { FakeVendor } from "../../../test/fakes/fake-server.ts";
import type { RunningProxy } from "../../main.ts";
import { createProxyFixture, REGION, type ProxyFixture } from "../../testing/proxy-fixture.ts";

let fx: ProxyFixture;
let fake: FakeVendor;
let proxy: RunningProxy;
let client: OpenAI;

beforeAll(async () => {
  fx = await createProxyFixture();
  fake = await startFakeAnthropic({ apiKey: "sk-ant-fake" });
  await fx.publish(
    fx.snapshot(1, (s) => {
      s.deployments.dep_claude = { id: "dep_claude", provider: "anthropic", baseUrl: fake.url, model: "claude-fake", region: REGION, credentialRef: "env:ANTHROPIC_KEY" };
      s.aliases.claude = { name: "claude", chain: ["dep_claude"] };
    }),
  );
  proxy = await fx.startProxy({ credentials: { ANTHROPIC_KEY: "sk-ant-fake" } });
  client = fx.client(proxy);
});
afterAll(async () => {
  await fx.cleanup();
  await fake.stop();
});

const weather = { type: "function" as const, function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } };

describe("anthropic through the proxy", () => {
  test("an assistant message with tool_calls and no content key is accepted", async () => {
    const call = { id: "call_1", type: "function" as const, function: { name: "get_weather", arguments: '{"city":"Paris"}' } };
    const data = await client.chat.completions.create({
      model: "claude",
      messages: [{ role: "user", content: "weather?" }, { role: "assistant", tool_calls: [call] }, { role: "tool", tool_call_id: "call_1", content: "18C" }],
      tools: [weather],
    });
    expect(data.choices[0]!.message.role).toBe("assistant");
  });
});
