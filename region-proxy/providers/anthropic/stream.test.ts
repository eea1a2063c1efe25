import { describe, expect, test } from "bun:test";
import { assemble, fixtureText, randomCuts, sseEvents, translate } from "../../../test/fixtures/replay.ts";
import { type ResponseContext, VendorProtocolError } from "../types.ts";
import { createAnthropicStreamTranslator } from "./stream.ts";
import { VendorStreamError } from "../vendor-stream-error.ts";
import { JSON_TOOL_NAME } from "./tools.ts";

const ctx = (includeUsage = true): ResponseContext => ({ completionId: "chatcmpl-test", created: 1700000000, model: "claude-opus-4-6", includeUsage });
const encoder = new TextEncoder();

async function replayFixture(name: string, includeUsage = true, cuts: number[] = []) {
  const bytes = encoder.encode(await fixtureText("anthropic", name));
  return translate(createAnthropicStreamTranslator(ctx(includeUsage)), sseEvents(bytes, cuts));
}

describe("anthropic stream translator on the documented streams", () => {
  test("basic text stream: role chunk, deltas, finish, usage chunk", async () => {
    const { chunks, usage } = await replayFixture("stream-text.sse");
    expect(chunks.map((c) => [c.choices[0]?.delta ?? null, c.choices[0]?.finish_reason ?? null])).toEqual([
      [{ role: "assistant", content: "", refusal: null }, null],
      [{ content: "Hello" }, null],
      [{ content: "!" }, null],
      [{}, "stop"],
      [null, null],
    ]);
    for (const c of chunks) expect(c).toMatchObject({ id: "chatcmpl-test", object: "chat.completion.chunk", created: 1700000000, model: "claude-opus-4-6" });
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 25, completion_tokens: 15, total_tokens: 40 } });
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);
    expect(usage).toEqual({ inputTokens: 25, outputTokens: 15, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
  });

  test("no usage chunk unless the client asked, but usage is still returned", async () => {
    const { chunks, usage } = await replayFixture("stream-text.sse", false);
    expect(chunks.every((c) => c.choices.length === 1 && !("usage" in c))).toBe(true);
    expect(usage?.outputTokens).toBe(15);
  });

  test("tool use stream: text, then one tool call whose argument deltas rebuild the input", async () => {
    const { chunks, usage } = await replayFixture("stream-tool-use.sse");
    const out = assemble(chunks);
    expect(out.content).toBe("Okay, let's check the weather for San Francisco, CA:");
    expect(out.toolCalls).toEqual([{ id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6", name: "get_weather", arguments: '{"location": "San Francisco, CA", "unit": "fahrenheit"}' }]);
    expect(JSON.parse(out.toolCalls[0]!.arguments)).toEqual({ location: "San Francisco, CA", unit: "fahrenheit" });
    expect(out.finishReason).toBe("tool_calls");
    const first = chunks.find((c) => c.choices[0]?.delta.tool_calls);
    expect(first?.choices[0]?.delta.tool_calls).toEqual([{ index: 0, id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6", type: "function", function: { name: "get_weather", arguments: "" } }]);
    expect(usage).toMatchObject({ inputTokens: 472, outputTokens: 89 });
  });

  test("thinking deltas are not leaked as content; a stream without usage reports none", async () => {
    const { chunks, usage } = await replayFixture("stream-thinking.sse");
    expect(assemble(chunks).content).toBe("The greatest common divisor of 1071 and 462 is **21**.");
    expect(usage).toBeNull();
    expect(chunks.every((c) => c.choices.length === 1)).toBe(true);
  });

  test("every fixture gives the same chunks and usage at random byte splits", async () => {
    for (const name of ["stream-text.sse", "stream-tool-use.sse", "stream-thinking.sse"]) {
      const text = await fixtureText("anthropic", name);
      const whole = await replayFixture(name);
      for (const cuts of randomCuts(encoder.encode(text).length, 25, name.length)) {
        expect(await replayFixture(name, true, cuts)).toEqual(whole);
      }
    }
  });

  test("an error event throws a classified, retryable error", async () => {
    const bytes = encoder.encode(await fixtureText("anthropic", "stream-error.sse"));
    const translator = createAnthropicStreamTranslator(ctx());
    let caught: unknown;
    try {
      for (const e of sseEvents(bytes)) translator.onEvent(e);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(VendorStreamError);
    expect(caught).toBeInstanceOf(VendorProtocolError);
    expect((caught as VendorStreamError).vendorError).toMatchObject({ retryable: true, reason: "status_529" });
  });

  test("no chunk leaves before the first output, so an early overloaded error can still fall back", () => {
    const t = createAnthropicStreamTranslator(ctx());
    expect(t.onEvent({ event: "message_start", data: '{"type":"message_start","message":{"usage":{"input_tokens":3,"output_tokens":1}}}', id: null })).toEqual([]);
    expect(t.onEvent({ event: "ping", data: '{"type":"ping"}', id: null })).toEqual([]);
    expect(() => t.onEvent({ event: "error", data: '{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}', id: null })).toThrow(VendorStreamError);
  });

  test("an error event whose type is a name Object.prototype has is a 500-class vendor error, not a status taken from the prototype", () => {
    let caught: unknown;
    try {
      createAnthropicStreamTranslator(ctx()).onEvent({ event: "error", data: '{"type":"error","error":{"type":"constructor","message":"odd"}}', id: null });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(VendorStreamError);
    expect((caught as VendorStreamError).vendorError).toMatchObject({ retryable: true, reason: "status_500" });
  });

  test("garbage and truncation are protocol errors", () => {
    expect(() => createAnthropicStreamTranslator(ctx()).onEvent({ event: null, data: "not json", id: null })).toThrow(VendorProtocolError);
    expect(() => createAnthropicStreamTranslator(ctx()).onEvent({ event: "content_block_delta", data: '{"type":"content_block_delta","index":0,"delta":{}}', id: null })).toThrow(VendorProtocolError);
    const t = createAnthropicStreamTranslator(ctx());
    t.onEvent({ event: "message_start", data: '{"type":"message_start","message":{"usage":{"input_tokens":3}}}', id: null });
    expect(() => t.finish()).toThrow(VendorProtocolError);
  });

  test("unknown event types are ignored", () => {
    const t = createAnthropicStreamTranslator(ctx(false));
    t.onEvent({ event: "message_start", data: '{"type":"message_start","message":{"usage":{"input_tokens":3,"output_tokens":1}}}', id: null });
    expect(t.onEvent({ event: "brand_new", data: '{"type":"brand_new"}', id: null })).toEqual([]);
  });

  test("the response_format tool streams as plain JSON content with finish_reason stop", () => {
    const t = createAnthropicStreamTranslator(ctx(false));
    const events = [
      { type: "message_start", message: { usage: { input_tokens: 9, output_tokens: 1 } } },
      { type: "content_block_start", index: 0, content_block: { type: "tool_use", id: "toolu_x", name: JSON_TOOL_NAME, input: {} } },
      { type: "content_block_delta", index: 0, delta: { type: "input_json_delta", partial_json: '{"a":' } },
      { type: "content_block_delta", index: 0, delta: { type: "input_json_delta", partial_json: "1}" } },
      { type: "content_block_stop", index: 0 },
      { type: "message_delta", delta: { stop_reason: "tool_use" }, usage: { output_tokens: 6 } },
      { type: "message_stop" },
    ];
    const { chunks } = translate(t, events.map((e) => ({ event: e.type, data: JSON.stringify(e), id: null })));
    expect(assemble(chunks)).toEqual({ content: '{"a":1}', toolCalls: [], finishReason: "stop" });
  });

  test("with response_format, text before the JSON tool is dropped; before a client tool call, with no JSON tool in the answer, it is kept, as unstreamed", () => {
    const jsonCtx: ResponseContext = { ...ctx(false), jsonResponse: true };
    const preamble = (tool: string) =>
      [
        { type: "message_start", message: { usage: { input_tokens: 9, output_tokens: 1 } } },
        { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
        { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Here is " } },
        { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "the JSON:" } },
        { type: "content_block_stop", index: 0 },
        { type: "content_block_start", index: 1, content_block: { type: "tool_use", id: "toolu_x", name: tool, input: {} } },
        { type: "content_block_delta", index: 1, delta: { type: "input_json_delta", partial_json: '{"a":1}' } },
        { type: "content_block_stop", index: 1 },
        { type: "message_delta", delta: { stop_reason: "tool_use" }, usage: { output_tokens: 6 } },
        { type: "message_stop" },
      ].map((e) => ({ event: e.type, data: JSON.stringify(e), id: null }));
    expect(assemble(translate(createAnthropicStreamTranslator(jsonCtx), preamble(JSON_TOOL_NAME)).chunks)).toEqual({ content: '{"a":1}', toolCalls: [], finishReason: "stop" });
    expect(assemble(translate(createAnthropicStreamTranslator(jsonCtx), preamble("get_weather")).chunks)).toEqual({
      content: "Here is the JSON:",
      toolCalls: [{ id: "toolu_x", name: "get_weather", arguments: '{"a":1}' }],
      finishReason: "tool_calls",
    });
  });

  test("a final count that is there but not a number makes the usage unusable (charged the estimate), not message_start's early count", () => {
    const t = createAnthropicStreamTranslator(ctx(false));
    const events = [
      { type: "message_start", message: { usage: { input_tokens: 10, output_tokens: 1 } } },
      { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
      { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "A long answer" } },
      { type: "content_block_stop", index: 0 },
      { type: "message_delta", delta: { stop_reason: "end_turn" }, usage: { output_tokens: "700" } },
      { type: "message_stop" },
    ];
    const { usage } = translate(t, events.map((e) => ({ event: e.type, data: JSON.stringify(e), id: null })));
    expect(usage).toBeNull();
  });

  test("a tool call without arguments streams '{}', as the unstreamed answer gives", () => {
    const t = createAnthropicStreamTranslator(ctx(false));
    const events = [
      { type: "message_start", message: { usage: { input_tokens: 10, output_tokens: 1 } } },
      { type: "content_block_start", index: 0, content_block: { type: "tool_use", id: "toolu_1", name: "get_time", input: {} } },
      { type: "content_block_delta", index: 0, delta: { type: "input_json_delta", partial_json: "" } },
      { type: "content_block_stop", index: 0 },
      { type: "content_block_start", index: 1, content_block: { type: "tool_use", id: "toolu_2", name: "get_date", input: {} } },
      { type: "content_block_stop", index: 1 },
      { type: "content_block_start", index: 2, content_block: { type: "tool_use", id: "toolu_3", name: "get_weather", input: {} } },
      { type: "content_block_delta", index: 2, delta: { type: "input_json_delta", partial_json: '{"city":"Paris"}' } },
      { type: "content_block_stop", index: 2 },
      { type: "message_delta", delta: { stop_reason: "tool_use" }, usage: { output_tokens: 12 } },
      { type: "message_stop" },
    ];
    const { chunks } = translate(t, events.map((e) => ({ event: e.type, data: JSON.stringify(e), id: null })));
    expect(assemble(chunks).toolCalls).toEqual([
      { id: "toolu_1", name: "get_time", arguments: "{}" },
      { id: "toolu_2", name: "get_date", arguments: "{}" },
      { id: "toolu_3", name: "get_weather", arguments: '{"city":"Paris"}' },
    ]);
  });

  test("an empty response_format tool input streams '{}' content", () => {
    const t = createAnthropicStreamTranslator(ctx(false));
    const events = [
      { type: "message_start", message: { usage: { input_tokens: 9, output_tokens: 1 } } },
      { type: "content_block_start", index: 0, content_block: { type: "tool_use", id: "toolu_x", name: JSON_TOOL_NAME, input: {} } },
      { type: "content_block_stop", index: 0 },
      { type: "message_delta", delta: { stop_reason: "tool_use" }, usage: { output_tokens: 3 } },
      { type: "message_stop" },
    ];
    const { chunks } = translate(t, events.map((e) => ({ event: e.type, data: JSON.stringify(e), id: null })));
    expect(assemble(chunks)).toEqual({ content: "{}", toolCalls: [], finishReason: "stop" });
  });

  test("message_stop ends the stream: a second message after it is not translated, and ended() tells the reader to stop", async () => {
    const text = await fixtureText("anthropic", "stream-text.sse");
    const t = createAnthropicStreamTranslator(ctx(false));
    const events = sseEvents(encoder.encode(text + text.replace("Hello", "INJECTED")));
    const ended: boolean[] = [];
    const chunks = events.flatMap((e) => {
      const out = t.onEvent(e);
      ended.push(t.ended!());
      return out;
    });
    const stop = events.findIndex((e) => e.event === "message_stop");
    expect(ended).toEqual(events.map((_, i) => i >= stop));
    expect(assemble(chunks)).toMatchObject({ content: "Hello!", finishReason: "stop" });
    expect(t.finish().usage?.outputTokens).toBe(15);
  });

  test("a tool_use block whose id or name is not a string is a protocol error, as unstreamed", () => {
    for (const block of [
      { type: "tool_use", id: 5, name: "get_weather", input: {} },
      { type: "tool_use", id: "toolu_1", name: 5, input: {} },
      { type: "tool_use", name: "get_weather", input: {} },
    ]) {
      const t = createAnthropicStreamTranslator(ctx(false));
      t.onEvent({ event: "message_start", data: '{"type":"message_start","message":{"usage":{"input_tokens":3}}}', id: null });
      expect(() => t.onEvent({ event: "content_block_start", data: JSON.stringify({ type: "content_block_start", index: 0, content_block: block }), id: null })).toThrow(VendorProtocolError);
    }
  });
});
