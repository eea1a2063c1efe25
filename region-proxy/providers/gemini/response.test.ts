import { describe, expect, test } from "bun:test";
import { assemble, fixtureJson, fixtureText, sseEvents, translate } from "../../../test/fixtures/replay.ts";
import { type ResponseContext, VendorProtocolError } from "../types.ts";
import { parseGeminiResponse } from "./response.ts";
import { createGeminiStreamTranslator } from "./stream.ts";

const ctx = (includeUsage = true): ResponseContext => ({ completionId: "chatcmpl-g1", created: 1700000000, model: "gemini-x", includeUsage });
const encoder = new TextEncoder();
/** A tool call id the gateway makes when Gemini gives none: fresh randomness, not the request's id. */
const TOOL_CALL_ID = /^call_[0-9a-hjkmnp-tv-z]{24}$/;

async function replay(name: string, includeUsage = true, cuts: number[] = []) {
  return translate(createGeminiStreamTranslator(ctx(includeUsage)), sseEvents(encoder.encode(await fixtureText("gemini", name)), cuts));
}

describe("gemini parseResponse", () => {
  test("function call response from Google's cookbook", async () => {
    const { completion, usage } = parseGeminiResponse(await fixtureJson("gemini", "message-function-call.json"), ctx());
    expect(completion.choices[0]).toEqual({
      index: 0,
      message: { role: "assistant", content: null, tool_calls: [{ id: expect.stringMatching(TOOL_CALL_ID), type: "function", function: { name: "find_theaters", arguments: '{"movie":"Barbie","location":"Mountain View, CA"}' } }], refusal: null },
      finish_reason: "tool_calls",
      logprobs: null,
    });
    expect(usage.inputTokens).toBe(0);
  });

  test("tool call ids Gemini does not give are fresh each call, even when the client reuses its x-request-id", () => {
    const body = { candidates: [{ content: { parts: [{ functionCall: { name: "w", args: {} } }, { functionCall: { name: "w", args: {} } }, { functionCall: { id: "g-1", name: "w", args: {} } }] }, finishReason: "STOP" }] };
    const ids = () => parseGeminiResponse(body, ctx()).completion.choices[0]!.message.tool_calls!.map((call) => call.id);
    const [turn1, turn2] = [ids(), ids()];
    for (const id of [...turn1.slice(0, 2), ...turn2.slice(0, 2)]) expect(id).toMatch(TOOL_CALL_ID);
    expect(new Set([...turn1.slice(0, 2), ...turn2.slice(0, 2)]).size).toBe(4);
    expect([turn1[2], turn2[2]]).toEqual(["g-1", "g-1"]);
  });

  test("thinking and cached tokens: output = candidates + thoughts, MAX_TOKENS is length", async () => {
    const { completion, usage } = parseGeminiResponse(await fixtureJson("gemini", "message-thinking.json"), ctx());
    expect(usage).toEqual({ inputTokens: 27, outputTokens: 200, cachedInputTokens: 20, cacheWriteTokens: 0, reasoningTokens: 194 });
    expect(completion.usage).toEqual({ prompt_tokens: 27, completion_tokens: 200, total_tokens: 227, prompt_tokens_details: { cached_tokens: 20 }, completion_tokens_details: { reasoning_tokens: 194 } });
    expect(completion.choices[0]?.finish_reason).toBe("length");
  });

  test("a blocked prompt is content_filter with no content", async () => {
    const { completion, usage } = parseGeminiResponse(await fixtureJson("gemini", "message-safety.json"), ctx());
    expect(completion.choices[0]).toMatchObject({ message: { content: null }, finish_reason: "content_filter" });
    expect(usage.inputTokens).toBe(8);
  });

  test("streamed and unstreamed versions of one answer give identical usage", async () => {
    const streamed = await replay("stream-text.sse");
    const plain = parseGeminiResponse(await fixtureJson("gemini", "message-hello.json"), ctx());
    expect(streamed.usage).toEqual(plain.usage);
    expect(assemble(streamed.chunks).content).toBe(plain.completion.choices[0]!.message.content!);
  });

  test("garbage is a protocol error", () => {
    expect(() => parseGeminiResponse({ foo: 1 }, ctx())).toThrow(VendorProtocolError);
    expect(() => parseGeminiResponse([], ctx())).toThrow(VendorProtocolError);
  });
});
