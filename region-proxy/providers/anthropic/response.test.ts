import { describe, expect, test } from "bun:test";
import { assemble, fixtureJson, fixtureText, sseEvents, translate } from "../../../test/fixtures/replay.ts";
import { type ResponseContext, VendorProtocolError } from "../types.ts";
import { parseAnthropicResponse } from "./response.ts";
import { createAnthropicStreamTranslator } from "./stream.ts";

const ctx = (includeUsage = true): ResponseContext => ({ completionId: "chatcmpl-test", created: 1700000000, model: "claude-opus-4-6", includeUsage });
const encoder = new TextEncoder();

async function replayFixture(name: string, includeUsage = true, cuts: number[] = []) {
  const bytes = encoder.encode(await fixtureText("anthropic", name));
  return translate(createAnthropicStreamTranslator(ctx(includeUsage)), sseEvents(bytes, cuts));
}

describe("anthropic parseResponse on the documented messages", () => {
  test("text message", async () => {
    const { completion, usage } = parseAnthropicResponse(await fixtureJson("anthropic", "message-text.json"), ctx());
    expect(completion).toEqual({
      id: "chatcmpl-test",
      object: "chat.completion",
      created: 1700000000,
      model: "claude-opus-4-6",
      choices: [{ index: 0, message: { role: "assistant", content: "Hi! My name is Claude.", refusal: null }, finish_reason: "stop", logprobs: null }],
      usage: { prompt_tokens: 2095, completion_tokens: 503, total_tokens: 2598, prompt_tokens_details: { cached_tokens: 0 }, completion_tokens_details: { reasoning_tokens: 0 } },
      system_fingerprint: null,
    });
    expect(usage).toEqual({ inputTokens: 2095, outputTokens: 503, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
  });

  test("tool use message", async () => {
    const { completion } = parseAnthropicResponse(await fixtureJson("anthropic", "message-tool-use.json"), ctx());
    expect(completion.choices[0]?.finish_reason).toBe("tool_calls");
    expect(completion.choices[0]?.message.tool_calls).toEqual([
      { id: "toolu_01A09q90qw90lq917835lq9", type: "function", function: { name: "get_weather", arguments: '{"location":"San Francisco, CA","unit":"celsius"}' } },
    ]);
    expect(completion.choices[0]?.message.content).toContain("get_weather function");
  });

  test("cache tokens count as input, split out as cached and written", async () => {
    const body = (await fixtureJson("anthropic", "message-cached.json")) as { usage: Record<string, number> };
    expect(parseAnthropicResponse(body, ctx()).usage).toEqual({ inputTokens: 10, outputTokens: 41, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
    body.usage.cache_read_input_tokens = 100;
    body.usage.cache_creation_input_tokens = 30;
    const { usage, completion } = parseAnthropicResponse(body, ctx());
    expect(usage).toEqual({ inputTokens: 140, outputTokens: 41, cachedInputTokens: 100, cacheWriteTokens: 30, reasoningTokens: 0 });
    expect(completion.usage?.prompt_tokens_details?.cached_tokens).toBe(100);
  });

  test("streamed and unstreamed versions of one answer give identical usage", async () => {
    const streamed = await replayFixture("stream-text.sse");
    const unstreamed = parseAnthropicResponse(await fixtureJson("anthropic", "message-hello.json"), ctx());
    expect(streamed.usage).toEqual(unstreamed.usage);
    expect(assemble(streamed.chunks).content).toBe(unstreamed.completion.choices[0]!.message.content!);
  });

  test("max_tokens maps to length; garbage is a protocol error", () => {
    const { completion } = parseAnthropicResponse({ type: "message", content: [{ type: "text", text: "cut" }], stop_reason: "max_tokens", usage: { input_tokens: 1, output_tokens: 1 } }, ctx());
    expect(completion.choices[0]?.finish_reason).toBe("length");
    expect(() => parseAnthropicResponse({ hello: "world" }, ctx())).toThrow(VendorProtocolError);
    expect(() => parseAnthropicResponse("nope", ctx())).toThrow(VendorProtocolError);
  });
});
