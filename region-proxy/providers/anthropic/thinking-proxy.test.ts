/**
 * Claude's thinking as an OpenAI client gets it through the proxy, read through the official SDK from
 * the fake Anthropic (which answers a thinking request with a signed thinking block first, and a
 * redacted_thinking block for models containing "redacted"): the text as `reasoning_content`, the
 * blocks as `thinking_blocks`, and the usage Anthropic reported charged once.
 */
import { describe, expect, test } from "bun:test";
import { fakeSignature, REDACTED_DATA } from "../../../test/fakes/anthropic-thinking.ts";
import { fakeDeployment, useVendorProxy } from "../testing/use-vendor-proxy.ts";

const t = useVendorProxy({
  fakes: ["anthropic"],
  configure(s) {
    s.deployments.dep_sonnet = fakeDeployment("dep_sonnet", "anthropic", t.anthropic.url, "claude-sonnet-4-5");
    s.deployments.dep_redacted = fakeDeployment("dep_redacted", "anthropic", t.anthropic.url, "claude-sonnet-4-5-redacted");
    s.aliases.claude = { name: "claude", chain: ["dep_sonnet"] };
    s.aliases.redacted = { name: "redacted", chain: ["dep_redacted"] };
  },
});
const client = () => t.fx.client(t.proxy);
const THOUGHT = 'The user wrote "Is 7 prime?". Echo it back.';
const ask = { role: "user" as const, content: "Is 7 prime?" };

/** The Messages body the fake answered last, as it answered it (its usage). */
const fakeUsage = async (): Promise<{ input_tokens: number; output_tokens: number }> => {
  const sent = t.anthropic.lastRequest()!.body as Record<string, unknown>;
  const response = await fetch(`${t.anthropic.url}/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-api-key": "sk-ant-fake", "anthropic-version": "2023-06-01" },
    body: JSON.stringify({ ...sent, stream: false }),
  });
  return ((await response.json()) as { usage: { input_tokens: number; output_tokens: number } }).usage;
};

describe("an unstreamed answer with thinking", () => {
  test("reasoning_content is the thinking, thinking_blocks the signed block; the usage is Anthropic's, thinking inside completion_tokens once", async () => {
    const { data, response } = await client().chat.completions.create({ model: "claude", messages: [ask], reasoning_effort: "low" }).withResponse();
    const message = data.choices[0]!.message as unknown as Record<string, unknown>;
    expect(message.content).toBe("Echo: Is 7 prime?");
    expect(message.reasoning_content).toBe(THOUGHT);
    expect(message.thinking_blocks).toEqual([{ type: "thinking", thinking: THOUGHT, signature: fakeSignature(THOUGHT) }]);
    const usage = await fakeUsage();
    expect(data.usage).toMatchObject({ prompt_tokens: usage.input_tokens, completion_tokens: usage.output_tokens, completion_tokens_details: { reasoning_tokens: 0 } });
    const event = await t.usageEvent(response.headers.get("x-request-id"));
    expect(event.usage).toMatchObject({ inputTokens: usage.input_tokens, outputTokens: usage.output_tokens, reasoningTokens: 0 });
  });

  test("a redacted_thinking block comes in thinking_blocks with its data as sent", async () => {
    const data = await client().chat.completions.create({ model: "redacted", messages: [ask], reasoning_effort: "low" });
    const message = data.choices[0]!.message as unknown as Record<string, unknown>;
    expect(message.thinking_blocks).toEqual([
      { type: "thinking", thinking: THOUGHT, signature: fakeSignature(THOUGHT) },
      { type: "redacted_thinking", data: REDACTED_DATA },
    ]);
    expect(message.reasoning_content).toBe(THOUGHT);
  });

  test("without reasoning_effort the message has neither field", async () => {
    const message = (await client().chat.completions.create({ model: "claude", messages: [ask] })).choices[0]!.message as unknown as Record<string, unknown>;
    expect("reasoning_content" in message || "thinking_blocks" in message).toBe(false);
  });
});
