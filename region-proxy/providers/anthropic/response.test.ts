import { describe, expect, test } from "bun:test";
import { assemble, fixtureJson, fixtureText, sseEvents, translate } from "../../../test/fixtures/replay.ts";
import { type ResponseContext, VendorProtocolError } from "../types.ts";
import { parseAnthropicResponse } from "./response.ts";
import { createAnthropicStreamTranslator } from "./stream.ts";
import { JSON_TOOL_NAME } from "./tools.ts";

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
    // Shown as OpenAI shows a cache write (GPT-5.6 on): the client sees what it is billed for.
    expect(completion.usage?.prompt_tokens_details?.cache_write_tokens).toBe(30);
    expect(completion.usage?.prompt_tokens).toBe(140);
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

type Block = { type: "text"; text: string } | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> };

/**
 * One vendor answer both ways, with response_format (the JSON tool) asked for: the unstreamed Message
 * parsed, and the same blocks streamed (text and input JSON each in two deltas), as the client rebuilds them.
 */
function bothWays(blocks: Block[], stopReason = "tool_use") {
  const json: ResponseContext = { ...ctx(false), jsonResponse: true };
  const usage = { input_tokens: 10, output_tokens: 30 };
  const halves = (s: string) => [s.slice(0, Math.ceil(s.length / 2)), s.slice(Math.ceil(s.length / 2))];
  const events: Record<string, unknown>[] = [{ type: "message_start", message: { content: [], usage: { input_tokens: 10, output_tokens: 1 } } }];
  for (const [index, b] of blocks.entries()) {
    if (b.type === "text") {
      events.push({ type: "content_block_start", index, content_block: { type: "text", text: "" } });
      for (const text of halves(b.text)) events.push({ type: "content_block_delta", index, delta: { type: "text_delta", text } });
    } else {
      events.push({ type: "content_block_start", index, content_block: { type: "tool_use", id: b.id, name: b.name, input: {} } });
      for (const partial_json of halves(JSON.stringify(b.input))) events.push({ type: "content_block_delta", index, delta: { type: "input_json_delta", partial_json } });
    }
    events.push({ type: "content_block_stop", index });
  }
  events.push({ type: "message_delta", delta: { stop_reason: stopReason }, usage: { output_tokens: 30 } }, { type: "message_stop" });
  const streamed = assemble(translate(createAnthropicStreamTranslator(json), events.map((e) => ({ event: e.type as string, data: JSON.stringify(e), id: null }))).chunks);
  const message = parseAnthropicResponse({ type: "message", content: blocks, stop_reason: stopReason, usage }, json).completion.choices[0]!;
  const unstreamed = {
    content: message.message.content ?? "",
    toolCalls: (message.message.tool_calls ?? []).map((c) => ({ id: c.id, name: c.function.name, arguments: c.function.arguments })),
    finishReason: message.finish_reason,
  };
  return { streamed, unstreamed };
}

const jsonTool = (id: string, input: Record<string, unknown>): Block => ({ type: "tool_use", id, name: JSON_TOOL_NAME, input });
const lookup: Block = { type: "tool_use", id: "toolu_l", name: "lookup", input: { q: "x" } };

describe("anthropic with response_format: a streamed and an unstreamed answer to the same vendor output give the same content and tool calls", () => {
  test("two JSON-tool blocks: only the first one's input is the content, the later one is dropped, so the content parses", () => {
    for (const blocks of [
      [jsonTool("t1", { answer: 1 }), jsonTool("t2", { answer: 2 })],
      [jsonTool("t1", { answer: 1 }), lookup, jsonTool("t2", { answer: 2 })],
      [lookup, jsonTool("t1", { answer: 1 }), jsonTool("t2", { answer: 2 })],
    ]) {
      const { streamed, unstreamed } = bothWays(blocks);
      expect(streamed).toEqual(unstreamed);
      expect(JSON.parse(streamed.content)).toEqual({ answer: 1 });
    }
    expect(bothWays([jsonTool("t1", { answer: 1 }), jsonTool("t2", { answer: 2 })]).streamed).toEqual({ content: '{"answer":1}', toolCalls: [], finishReason: "stop" });
  });

  test("with a JSON-tool block the content is its input alone: the model's text is dropped wherever it comes, also when a client tool is called; the tool calls are kept", () => {
    const sure: Block = { type: "text", text: "Sure. " };
    const after: Block = { type: "text", text: " Done." };
    const lookupCall = { id: "toolu_l", name: "lookup", arguments: '{"q":"x"}' };
    for (const [blocks, toolCalls] of [
      [[sure, jsonTool("t1", { answer: 1 }), lookup], [lookupCall]],
      [[sure, lookup, jsonTool("t1", { answer: 1 })], [lookupCall]],
      [[lookup, sure, jsonTool("t1", { answer: 1 }), after], [lookupCall]],
      [[sure, jsonTool("t1", { answer: 1 }), after], []],
      [[jsonTool("t1", { answer: 1 }), after, lookup], [lookupCall]],
    ] as const) {
      const { streamed, unstreamed } = bothWays([...blocks]);
      expect(streamed).toEqual(unstreamed);
      expect(streamed).toEqual({ content: '{"answer":1}', toolCalls: [...toolCalls], finishReason: toolCalls.length ? "tool_calls" : "stop" });
    }
  });

  test("without a JSON-tool block the content is the model's text, with or without client tool calls", () => {
    for (const blocks of [[{ type: "text", text: "Let me look." } as Block, lookup], [{ type: "text", text: "No JSON here." } as Block]]) {
      const { streamed, unstreamed } = bothWays(blocks, blocks.length > 1 ? "tool_use" : "end_turn");
      expect(streamed).toEqual(unstreamed);
      expect(streamed.content).toBe((blocks[0] as { text: string }).text);
    }
  });
});
