/**
 * Claude's thinking as an OpenAI client gets it through the proxy, read through the official SDK from
 * the fake Anthropic (which answers a thinking request with a signed thinking block first, and a
 * redacted_thinking block for models containing "redacted"): the text as `reasoning_content`, the
 * blocks as `thinking_blocks`, and the usage Anthropic reported charged once.
 */
import { describe, expect, test } from "bun:test";
import type OpenAI from "openai";
import { costMicros } from "../../../shared/money/cost.ts";
import { fakeSignature, REDACTED_DATA } from "../../../test/fakes/anthropic-thinking.ts";
import { fakeDeployment, useVendorProxy } from "../testing/use-vendor-proxy.ts";

const t = useVendorProxy({
  fakes: ["anthropic"],
  configure(s) {
    s.deployments.dep_sonnet = fakeDeployment("dep_sonnet", "anthropic", t.anthropic.url, "claude-sonnet-4-5");
    s.deployments.dep_redacted = fakeDeployment("dep_redacted", "anthropic", t.anthropic.url, "claude-sonnet-4-5-redacted");
    s.deployments.dep_stall = fakeDeployment("dep_stall", "anthropic", t.anthropic.url, "claude-sonnet-4-5-stall");
    s.aliases.claude = { name: "claude", chain: ["dep_sonnet"] };
    s.aliases.redacted = { name: "redacted", chain: ["dep_redacted"] };
    s.aliases.stall = { name: "stall", chain: ["dep_stall"] };
    // Claude's thinking is billed at the output rate: no reasoning rate of its own.
    for (const model of ["claude-sonnet-4-5", "claude-sonnet-4-5-redacted", "claude-sonnet-4-5-stall"]) s.pricing[`anthropic:${model}`] = CLAUDE_PRICE;
  },
});
const CLAUDE_PRICE = { input: 3_000_000, output: 15_000_000, cachedInput: 300_000, cacheWrite: 3_750_000 };
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

/** What a client rebuilds from a stream: the text, the reasoning_content deltas joined, the thinking_blocks of all deltas in order. */
async function readStream(stream: AsyncIterable<OpenAI.ChatCompletionChunk>) {
  let content = "";
  let reasoning = "";
  const blocks: unknown[] = [];
  let usage: OpenAI.CompletionUsage | null = null;
  for await (const chunk of stream) {
    const delta = chunk.choices[0]?.delta as (Record<string, unknown> & { content?: string | null }) | undefined;
    content += delta?.content ?? "";
    if (typeof delta?.reasoning_content === "string") reasoning += delta.reasoning_content;
    if (Array.isArray(delta?.thinking_blocks)) blocks.push(...delta.thinking_blocks);
    if (chunk.usage) usage = chunk.usage;
  }
  return { content, reasoning, blocks, usage };
}

describe("a streamed answer with thinking", () => {
  test("gives what the unstreamed one gives: reasoning_content, thinking_blocks, usage and cost", async () => {
    for (const model of ["claude", "redacted"]) {
      const { data: plain, response: plainResponse } = await client().chat.completions.create({ model, messages: [ask], reasoning_effort: "low" }).withResponse();
      const { data: stream, response } = await client()
        .chat.completions.create({ model, messages: [ask], reasoning_effort: "low", stream: true, stream_options: { include_usage: true } })
        .withResponse();
      const streamed = await readStream(stream);
      const message = plain.choices[0]!.message as unknown as Record<string, unknown>;
      expect([model, streamed.content, streamed.reasoning, streamed.blocks] as unknown[]).toEqual([model, message.content, message.reasoning_content, message.thinking_blocks]);
      expect(streamed.usage).toEqual(plain.usage!);
      const [plainEvent, streamEvent] = [await t.usageEvent(plainResponse.headers.get("x-request-id")), await t.usageEvent(response.headers.get("x-request-id"))];
      expect(streamEvent.usage).toEqual(plainEvent.usage);
      expect(streamEvent.costMicros).toBe(plainEvent.costMicros);
      expect(streamEvent.costMicros).toBeGreaterThan(0);
    }
  });

  test("a client that leaves after the thinking is charged the thinking it was streamed, as reasoning of the output", async () => {
    const controller = new AbortController();
    const res = await t.post({ model: "stall", messages: [ask], reasoning_effort: "low", stream: true }, controller.signal);
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let seen = "";
    // The fake stalls after the first text delta: the whole thinking, its block, then "Echo:".
    while (!seen.includes("Echo:")) seen += decoder.decode((await reader.read()).value, { stream: true });
    controller.abort();
    const event = await t.usageEvent(res.headers.get("x-request-id"));
    expect(event.status).toBe("client_closed");
    const reasoning = Math.ceil(THOUGHT.length / 4);
    expect(event.usage.reasoningTokens).toBe(reasoning);
    expect(event.usage.outputTokens).toBe(reasoning + Math.ceil("Echo:".length / 4));
    expect(event.costMicros).toBe(costMicros(event.usage, CLAUDE_PRICE, event.eventId));
  });
});

describe("a tool loop with thinking: the answer's thinking_blocks, sent back, reach Anthropic first in their turn", () => {
  const tools = [{ type: "function" as const, function: { name: "lookup", parameters: { type: "object", properties: { echo: { type: "string" } } } } }];
  const question = { role: "user" as const, content: "please call tool for Paris" };
  const CALL_THOUGHT = `The user wrote "${question.content}". Echo it back.`;
  const sentTurn = () => (t.anthropic.lastRequest()!.body as { messages: { role: string; content: unknown[] }[]; thinking?: unknown });

  test("unstreamed: the SDK's message pushed back as returned, its signed block first, thinking kept on", async () => {
    const first = await client().chat.completions.create({ model: "claude", messages: [question], tools, reasoning_effort: "low" });
    const message = first.choices[0]!.message;
    expect(message.tool_calls).toHaveLength(1);
    const block = { type: "thinking", thinking: CALL_THOUGHT, signature: fakeSignature(CALL_THOUGHT) };
    expect((message as unknown as Record<string, unknown>).thinking_blocks).toEqual([block]);
    const next = await client().chat.completions.create({
      model: "claude",
      messages: [question, message, { role: "tool", tool_call_id: message.tool_calls![0]!.id, content: "18C" }],
      tools,
      reasoning_effort: "low",
    });
    expect(next.choices[0]!.message.content).toBe("Echo: tool result received");
    expect(sentTurn().messages[1]!.content[0]).toEqual(block);
    expect(sentTurn().thinking).toEqual({ type: "enabled", budget_tokens: 1024 });
  });

  test("streamed: the SDK stream helper's final message carries the block, and goes back the same way", async () => {
    const final = await client().chat.completions.stream({ model: "claude", messages: [question], tools, reasoning_effort: "low" }).finalChatCompletion();
    const message = final.choices[0]!.message;
    const block = { type: "thinking", thinking: CALL_THOUGHT, signature: fakeSignature(CALL_THOUGHT) };
    expect((message as unknown as Record<string, unknown>).thinking_blocks).toEqual([block]);
    const next = await client().chat.completions.create({
      model: "claude",
      messages: [question, message, { role: "tool", tool_call_id: message.tool_calls![0]!.id, content: "18C" }],
      tools,
      reasoning_effort: "low",
    });
    expect(next.choices[0]!.finish_reason).toBe("stop");
    expect(sentTurn().messages[1]!.content[0]).toEqual(block);
  });

  test("a tool-calling turn sent back without its blocks is answered without thinking, not Anthropic's 400", async () => {
    const call = { id: "toolu_x", type: "function" as const, function: { name: "lookup", arguments: "{}" } };
    const next = await client().chat.completions.create({
      model: "claude",
      messages: [question, { role: "assistant", content: null, tool_calls: [call] }, { role: "tool", tool_call_id: "toolu_x", content: "18C" }],
      tools,
      reasoning_effort: "low",
    });
    expect(next.choices[0]!.message.content).toBe("Echo: tool result received");
    expect(sentTurn().thinking).toBeUndefined();
    expect((next.choices[0]!.message as unknown as Record<string, unknown>).reasoning_content).toBeUndefined();
  });
});
