import { describe, expect, test } from "bun:test";
import { fakeDeployment, useVendorProxy } from "./testing/use-vendor-proxy.ts";

const t = useVendorProxy({
  fakes: ["anthropic", "gemini"],
  configure(s) {
    s.deployments.dep_claude = fakeDeployment("dep_claude", "anthropic", t.anthropic.url, "claude-fake");
    s.deployments.dep_claude_down = fakeDeployment("dep_claude_down", "anthropic", t.anthropic.url, "error-500");
    s.deployments.dep_gemini = fakeDeployment("dep_gemini", "gemini", t.gemini.url, "gemini-fake");
    s.aliases.claude = { name: "claude", chain: ["dep_claude"] };
    s.aliases.gemini = { name: "gemini", chain: ["dep_gemini"] };
    s.aliases.mixed = { name: "mixed", chain: ["dep_claude_down", "dep_echo1"] };
    s.aliases.toclaude = { name: "toclaude", chain: ["dep_error500", "dep_claude"] };
  },
});

const messages = [{ role: "user" as const, content: "hello from the other side" }];

describe("the same OpenAI surface in front of other vendors", () => {
  for (const alias of ["claude", "gemini"]) {
    test(`${alias}: non-stream and stream answer with text and usage`, async () => {
      const client = t.fx.client(t.proxy);
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
      const event = await t.usageEvent(response.headers.get("x-request-id"));
      expect(event.usage.inputTokens).toBe(data.usage!.prompt_tokens);
    });
  }

  test("a chain across vendors falls back from a failing Anthropic deployment to OpenAI", async () => {
    const { data, response } = await t.fx.client(t.proxy).chat.completions.create({ model: "mixed", messages }).withResponse();
    expect(data.choices[0]!.message.content).toBe("Echo: hello from the other side");
    expect(response.headers.get("x-gateway-fallback")).toBe("true");
    expect(response.headers.get("x-gateway-provider")).toBe("openai");
  });

  test("a fallback deployment that cannot honour a parameter is skipped; the original failure is the answer", async () => {
    const before = t.anthropic.calls();
    const error = await t.fx.client(t.proxy).chat.completions.create({ model: "toclaude", messages, seed: 5 }).catch((e) => e);
    expect(error.status).toBe(502);
    expect(error.code).toBe("upstream_error");
    expect(t.anthropic.calls()).toBe(before);
    const { response } = await t.fx.client(t.proxy).chat.completions.create({ model: "toclaude", messages }).withResponse();
    expect(response.headers.get("x-gateway-provider")).toBe("anthropic");
    const first = await t.fx.client(t.proxy).chat.completions.create({ model: "claude", messages, seed: 5 }).catch((e) => e);
    expect(first.status).toBe(400);
    expect(first.param).toBe("seed");
  });
});
