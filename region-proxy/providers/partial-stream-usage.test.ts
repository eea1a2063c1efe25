import { expect, test } from "bun:test";
import { PRICE } from "../testing/proxy-fixture.ts";
import { fakeDeployment, useVendorProxy } from "./testing/use-vendor-proxy.ts";

// A stream that ends before the vendor's closing usage (here: the vendor goes silent mid-answer and
// the client leaves) is charged with the input counts the vendor already reported — Anthropic's
// message_start, Gemini's usageMetadata on every event — cache reads and writes included. Only the
// output is estimated from what was streamed.
const t = useVendorProxy({
  fakes: ["anthropic", "gemini"],
  configure(s) {
    s.deployments.dep_claude_stall = fakeDeployment("dep_claude_stall", "anthropic", t.anthropic.url, "claude-cached-stall");
    s.deployments.dep_gemini_stall = fakeDeployment("dep_gemini_stall", "gemini", t.gemini.url, "gemini-cached-stall");
    s.aliases.claude = { name: "claude", chain: ["dep_claude_stall"] };
    s.aliases.gemini = { name: "gemini", chain: ["dep_gemini_stall"] };
    s.pricing["anthropic:claude-cached-stall"] = PRICE;
    s.pricing["gemini:gemini-cached-stall"] = PRICE;
  },
});

const messages = [
  { role: "system" as const, content: "You are a helpful assistant. ".repeat(20) },
  { role: "user" as const, content: "one two three four five six seven eight nine ten" },
];

for (const alias of ["claude", "gemini"]) {
  test(`${alias}: a client that leaves mid-stream is charged the vendor-reported input and cache counts`, async () => {
    // The same request unstreamed: the counts the vendor reports for this prompt.
    const reported = await t.fx.client(t.proxy).chat.completions.create({ model: alias, messages });
    const controller = new AbortController();
    const res = await t.post({ model: alias, messages, stream: true }, controller.signal);
    const reader = res.body!.getReader();
    let seen = "";
    while (!seen.includes('"content":"Echo:')) seen += new TextDecoder().decode((await reader.read()).value);
    controller.abort();
    const event = await t.usageEvent(res.headers.get("x-request-id"));
    expect(event.status).toBe("client_closed");
    expect(event.usage.inputTokens).toBe(reported.usage!.prompt_tokens);
    expect(event.usage.cachedInputTokens).toBe(reported.usage!.prompt_tokens_details!.cached_tokens!);
    expect(event.usage.cachedInputTokens).toBeGreaterThan(0);
    expect(event.usage.cacheWriteTokens).toBe(alias === "claude" ? 7 : 0);
    expect(event.usage.outputTokens).toBeGreaterThan(0);
  });
}
