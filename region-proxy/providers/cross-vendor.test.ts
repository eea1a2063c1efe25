import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { FakeVendor } from "../../test/fakes/fake-server.ts";
import { startFakeAnthropic } from "../../test/fakes/anthropic.ts";
import { startFakeGemini } from "../../test/fakes/gemini.ts";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, REGION, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";

let fx: ProxyFixture;
let anthropic: FakeVendor;
let gemini: FakeVendor;
let proxy: RunningProxy;

beforeAll(async () => {
  fx = await createProxyFixture();
  anthropic = await startFakeAnthropic({ apiKey: "sk-ant-fake" });
  gemini = await startFakeGemini({ apiKey: "gm-fake" });
  await fx.publish(
    fx.snapshot(1, (s) => {
      s.deployments.dep_claude = { id: "dep_claude", provider: "anthropic", baseUrl: anthropic.url, model: "claude-fake", region: REGION, credentialRef: "env:ANTHROPIC_KEY" };
      s.deployments.dep_claude_down = { id: "dep_claude_down", provider: "anthropic", baseUrl: anthropic.url, model: "error-500", region: REGION, credentialRef: "env:ANTHROPIC_KEY" };
      s.deployments.dep_gemini = { id: "dep_gemini", provider: "gemini", baseUrl: gemini.url, model: "gemini-fake", region: REGION, credentialRef: "env:GEMINI_KEY" };
      s.aliases.claude = { name: "claude", chain: ["dep_claude"] };
      s.aliases.gemini = { name: "gemini", chain: ["dep_gemini"] };
      s.aliases.mixed = { name: "mixed", chain: ["dep_claude_down", "dep_echo1"] };
      s.aliases.toclaude = { name: "toclaude", chain: ["dep_error500", "dep_claude"] };
    }),
  );
  proxy = await fx.startProxy({ credentials: { ECHO_KEY: "sk-echo-test", ANTHROPIC_KEY: "sk-ant-fake", GEMINI_KEY: "gm-fake" } });
});
afterAll(async () => {
  await fx.cleanup();
  await anthropic.stop();
  await gemini.stop();
});

const messages = [{ role: "user" as const, content: "hello from the other side" }];

describe("the same OpenAI surface in front of other vendors", () => {
  for (const alias of ["claude", "gemini"]) {
    test(`${alias}: non-stream and stream answer with text and usage`, async () => {
      const client = fx.client(proxy);
      const { data, response } = await client.chat.completions.create({ model: alias, messages }).withResponse();
      expect(data.choices[0]!.message.content).toContain("hello from the other side");
      expect(data.usage!.prompt_tokens).toBeGreaterThan(0);
      expect(response.headers.get("x-gateway-provider")).toBe(alias === "claude" ? "anthropic" : "gemini");
      const stream = await client.chat.completions.create({ model: alias, messages, stream: true, stream_options: { include_usage: true } });
      let text = "";
      let usage = null;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? "";
        if (chunk.usage) usage = chunk.usage;
      }
      expect(text).toContain("hello from the other side");
      expect(usage!.completion_tokens).toBeGreaterThan(0);
      const id = response.headers.get("x-request-id");
      await waitFor(() => fx.origin.events().some((e) => e.requestId === id), "event");
      expect(fx.origin.events().find((e) => e.requestId === id)!.usage.inputTokens).toBe(data.usage!.prompt_tokens);
    });
  }

  test("a chain across vendors falls back from a failing Anthropic deployment to OpenAI", async () => {
    const { data, response } = await fx.client(proxy).chat.completions.create({ model: "mixed", messages }).withResponse();
    expect(data.choices[0]!.message.content).toBe("Echo: hello from the other side");
    expect(response.headers.get("x-gateway-fallback")).toBe("true");
    expect(response.headers.get("x-gateway-provider")).toBe("openai");
  });

  test("a fallback deployment that cannot honour a parameter is skipped; the original failure is the answer", async () => {
    const before = anthropic.calls();
    const error = await fx.client(proxy).chat.completions.create({ model: "toclaude", messages, seed: 5 }).catch((e) => e);
    expect(error.status).toBe(502);
    expect(error.code).toBe("upstream_error");
    expect(anthropic.calls()).toBe(before);
    const { response } = await fx.client(proxy).chat.completions.create({ model: "toclaude", messages }).withResponse();
    expect(response.headers.get("x-gateway-provider")).toBe("anthropic");
    const first = await fx.client(proxy).chat.completions.create({ model: "claude", messages, seed: 5 }).catch((e) => e);
    expect(first.status).toBe(400);
    expect(first.param).toBe("seed");
  });
});
