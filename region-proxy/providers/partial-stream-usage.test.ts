import { afterAll, beforeAll, expect, test } from "bun:test";
import type { FakeVendor } from "../../test/fakes/fake-server.ts";
import { startFakeAnthropic } from "../../test/fakes/anthropic.ts";
import { startFakeGemini } from "../../test/fakes/gemini.ts";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, PRICE, REGION, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";

// A stream that ends before the vendor's closing usage (here: the vendor goes silent mid-answer and
// the client leaves) is charged with the input counts the vendor already reported — Anthropic's
// message_start, Gemini's usageMetadata on every event — cache reads and writes included. Only the
// output is estimated from what was streamed.
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
      s.deployments.dep_claude_stall = { id: "dep_claude_stall", provider: "anthropic", baseUrl: anthropic.url, model: "claude-cached-stall", region: REGION, credentialRef: "env:ANTHROPIC_KEY" };
      s.deployments.dep_gemini_stall = { id: "dep_gemini_stall", provider: "gemini", baseUrl: gemini.url, model: "gemini-cached-stall", region: REGION, credentialRef: "env:GEMINI_KEY" };
      s.aliases.claude = { name: "claude", chain: ["dep_claude_stall"] };
      s.aliases.gemini = { name: "gemini", chain: ["dep_gemini_stall"] };
      s.pricing["anthropic:claude-cached-stall"] = PRICE;
      s.pricing["gemini:gemini-cached-stall"] = PRICE;
    }),
  );
  proxy = await fx.startProxy({ credentials: { ECHO_KEY: "sk-echo-test", ANTHROPIC_KEY: "sk-ant-fake", GEMINI_KEY: "gm-fake" } });
});
afterAll(async () => {
  await fx.cleanup();
  await anthropic.stop();
  await gemini.stop();
});

const messages = [
  { role: "system" as const, content: "You are a helpful assistant. ".repeat(20) },
  { role: "user" as const, content: "one two three four five six seven eight nine ten" },
];

for (const alias of ["claude", "gemini"]) {
  test(`${alias}: a client that leaves mid-stream is charged the vendor-reported input and cache counts`, async () => {
    // The same request unstreamed: the counts the vendor reports for this prompt.
    const reported = await fx.client(proxy).chat.completions.create({ model: alias, messages });
    const controller = new AbortController();
    const res = await fetch(`${proxy.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${fx.keys.main}` },
      body: JSON.stringify({ model: alias, messages, stream: true }),
      signal: controller.signal,
    });
    const reader = res.body!.getReader();
    let seen = "";
    while (!seen.includes('"content":"Echo:')) seen += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    const id = res.headers.get("x-request-id");
    await waitFor(() => fx.origin.events().some((e) => e.requestId === id), "usage event");
    const event = fx.origin.events().find((e) => e.requestId === id)!;
    expect(event.status).toBe("client_closed");
    expect(event.usage.inputTokens).toBe(reported.usage!.prompt_tokens);
    expect(event.usage.cachedInputTokens).toBe(reported.usage!.prompt_tokens_details!.cached_tokens!);
    expect(event.usage.cachedInputTokens).toBeGreaterThan(0);
    expect(event.usage.cacheWriteTokens).toBe(alias === "claude" ? 7 : 0);
    expect(event.usage.outputTokens).toBeGreaterThan(0);
  });
}
