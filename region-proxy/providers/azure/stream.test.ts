import { describe, expect, test } from "bun:test";
import { assemble, fixtureText, randomCuts, sseEvents, translate } from "../../../test/fixtures/replay.ts";
import { type ResponseContext, VendorProtocolError } from "../types.ts";
import { createAzureStreamTranslator } from "./stream.ts";

const ctx = (includeUsage = true): ResponseContext => ({ completionId: "chatcmpl-az1", created: 5, model: "gpt-4o", includeUsage });
const encoder = new TextEncoder();

async function replay(name: string, includeUsage = true, cuts: number[] = []) {
  return translate(createAzureStreamTranslator(ctx(includeUsage)), sseEvents(encoder.encode(await fixtureText("azure", name)), cuts));
}

describe("azure stream translator on a recorded stream", () => {
  test("the prompt-filter preamble is dropped and annotations stripped", async () => {
    const { chunks, usage } = await replay("stream-text.sse", false);
    expect(chunks.map((c) => c.choices[0]?.delta)).toEqual([{ content: "", refusal: null, role: "assistant" }, { content: "Hey" }, { content: "!" }, { content: " 👋" }, {}]);
    expect(chunks.every((c) => c.id === "chatcmpl-az1" && !("prompt_filter_results" in c) && !("content_filter_results" in c.choices[0]!))).toBe(true);
    expect(assemble(chunks).finishReason).toBe("stop");
    expect(usage).toBeNull();
  });

  test("the usage chunk is kept only when asked, usage always returned", async () => {
    const asked = await replay("stream-usage.sse", true);
    expect(asked.chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: 8, completion_tokens: 4 } });
    const notAsked = await replay("stream-usage.sse", false);
    expect(notAsked.chunks.every((c) => c.choices.length === 1)).toBe(true);
    expect(notAsked.usage).toEqual(asked.usage);
    expect(asked.usage).toEqual({ inputTokens: 8, outputTokens: 4, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
  });

  test("same result at random byte splits (a 4-byte emoji included)", async () => {
    const whole = await replay("stream-usage.sse");
    const length = encoder.encode(await fixtureText("azure", "stream-usage.sse")).length;
    for (const cuts of randomCuts(length, 25, 7)) expect(await replay("stream-usage.sse", true, cuts)).toEqual(whole);
  });

  test("[DONE] ends the stream: ended() tells the reader to stop, a chunk after it is not translated", async () => {
    const t = createAzureStreamTranslator(ctx(false));
    const injected = `data: ${JSON.stringify({ id: "x", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: { content: "INJECTED" }, finish_reason: null }] })}\n\n`;
    const events = sseEvents(encoder.encode((await fixtureText("azure", "stream-usage.sse")) + injected));
    const chunks = events.flatMap((e) => t.onEvent(e));
    expect(t.ended!()).toBe(true);
    expect(assemble(chunks).content).not.toContain("INJECTED");
    expect(t.finish().usage?.inputTokens).toBe(8);
  });

  test("a stream cut before [DONE] is a protocol error", () => {
    const t = createAzureStreamTranslator(ctx());
    t.onEvent({ event: null, data: '{"choices":[],"prompt_filter_results":[]}', id: null });
    expect(() => t.finish()).toThrow(VendorProtocolError);
    expect(() => createAzureStreamTranslator(ctx()).onEvent({ event: null, data: "not json", id: null })).toThrow(VendorProtocolError);
  });

  test("annotation-only chunks (async filter trailer, older prompt_annotations preamble) never reach the client", () => {
    const SAFE = { hate: { filtered: false, severity: "safe" }, violence: { filtered: false, severity: "safe" } };
    const base = { id: "chatcmpl-az", object: "chat.completion.chunk", created: 1736407895, model: "gpt-4o-2024-11-20" };
    const frames = [
      // api-version 2023-06-01-preview and older name the preamble prompt_annotations
      { id: "", object: "", created: 0, model: "", choices: [], prompt_annotations: [{ prompt_index: 0, content_filter_results: SAFE }] },
      { ...base, choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null, content_filter_results: {} }] },
      { ...base, choices: [{ index: 0, delta: { content: "Hi" }, finish_reason: null, content_filter_results: SAFE }] },
      { ...base, choices: [{ index: 0, delta: {}, finish_reason: "stop", content_filter_results: {} }] },
      // the asynchronous filter's annotation, after the finish chunk (no delta, empty id, model and object)
      { id: "", object: "", created: 0, model: "", choices: [{ index: 0, finish_reason: null, content_filter_results: SAFE, content_filter_offsets: { check_offset: 2, start_offset: 2, end_offset: 4 } }] },
      { ...base, choices: [], usage: { prompt_tokens: 8, completion_tokens: 1, total_tokens: 9 } },
    ];
    for (const includeUsage of [false, true]) {
      const events = [...frames.map((f) => ({ event: null, data: JSON.stringify(f), id: null })), { event: null, data: "[DONE]", id: null }];
      const { chunks, usage } = translate(createAzureStreamTranslator(ctx(includeUsage)), events);
      expect(chunks.map((c) => c.choices[0]?.delta ?? null)).toEqual([{ role: "assistant", content: "" }, { content: "Hi" }, {}, ...(includeUsage ? [null] : [])]);
      expect(chunks.every((c) => c.model === "gpt-4o-2024-11-20" && c.object === "chat.completion.chunk" && c.created === 1736407895)).toBe(true);
      expect(usage?.inputTokens).toBe(8);
    }
  });

  test("the asynchronous filter's block (a delta-less choice with finish_reason content_filter) reaches the client as the stream's own finish chunk", () => {
    // "Sample response stream (blocked by filters)", https://learn.microsoft.com/en-us/azure/ai-foundry/openai/concepts/content-streaming
    const base = { id: "chatcmpl-8J", object: "chat.completion.chunk", created: 1699587397, model: "gpt-35-turbo" };
    const frames = [
      { id: "", object: "", created: 0, model: "", prompt_filter_results: [{ prompt_index: 0, content_filter_results: {} }], choices: [], usage: null },
      { ...base, choices: [{ index: 0, finish_reason: null, delta: { role: "assistant" } }], usage: null },
      { ...base, choices: [{ index: 0, finish_reason: null, delta: { content: "Hey Jude" } }], usage: null },
      { id: "", object: "", created: 0, model: "", choices: [{ index: 0, finish_reason: "content_filter", content_filter_results: { protected_material_text: { detected: true, filtered: true } }, content_filter_offsets: { check_offset: 65, start_offset: 65, end_offset: 1056 } }], usage: null },
    ];
    for (const includeUsage of [false, true]) {
      const events = [...frames.map((f) => ({ event: null, data: JSON.stringify(f), id: null })), { event: null, data: "[DONE]", id: null }];
      const { chunks } = translate(createAzureStreamTranslator(ctx(includeUsage)), events);
      expect(chunks.at(-1)!.choices).toEqual([{ index: 0, delta: {}, finish_reason: "content_filter" }]);
      expect(assemble(chunks)).toMatchObject({ content: "Hey Jude", finishReason: "content_filter" });
      expect(chunks.every((c) => c.id === "chatcmpl-az1" && c.object === "chat.completion.chunk" && c.model === "gpt-35-turbo" && c.created === 1699587397)).toBe(true);
    }
  });

  test("a block before any chunk of the stream's own takes the client's model and created time", () => {
    const block = { id: "", object: "", created: 0, model: "", choices: [{ index: 0, finish_reason: "content_filter", content_filter_results: {} }], usage: null };
    const events = [{ event: null, data: JSON.stringify(block), id: null }, { event: null, data: "[DONE]", id: null }];
    const { chunks } = translate(createAzureStreamTranslator(ctx(false)), events);
    // The choice's first delta: it names the role the SDK needs (stream-roles.ts).
    expect(chunks).toEqual([{ id: "chatcmpl-az1", object: "chat.completion.chunk", created: 5, model: "gpt-4o", choices: [{ index: 0, delta: { role: "assistant" }, finish_reason: "content_filter" }] }]);
  });
});
