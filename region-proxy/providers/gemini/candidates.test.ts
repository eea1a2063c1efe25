/**
 * Several candidates (candidateCount, from n) in Gemini's answers, unstreamed and streamed, as Gemini
 * sends them: each under its `index`, left out for candidate 0 as Google's JSON leaves out an int32 at
 * its default (Vertex's events; Google's JS SDK reads a missing index as 0), a stream event carrying the
 * next piece of every candidate still writing.
 */
import { describe, expect, test } from "bun:test";
import { type ChatCompletionChunk, type ResponseContext, type SseEvent, VendorProtocolError } from "../types.ts";
import { parseGeminiResponse } from "./response.ts";
import { END_GRACE_MS, createGeminiStreamTranslator } from "./stream.ts";

const ctx: ResponseContext = { completionId: "chatcmpl-n", created: 1700000000, model: "gemini-x", includeUsage: false };
const ev = (o: unknown): SseEvent => ({ event: null, data: JSON.stringify(o), id: null });
const text = (t: string, extra: Record<string, unknown> = {}) => ({ content: { role: "model", parts: [{ text: t }] }, ...extra });
const call = (name: string) => ({ content: { role: "model", parts: [{ functionCall: { name, args: {} } }] }, finishReason: "STOP" });

/** Each choice's chunks, by choice index: its deltas in order, and its finish reasons. */
function byChoice(chunks: ChatCompletionChunk[]) {
  const out: Record<number, { deltas: unknown[]; finish: string[] }> = {};
  for (const chunk of chunks) {
    for (const choice of chunk.choices) {
      const slot = (out[choice.index] ??= { deltas: [], finish: [] });
      slot.deltas.push(choice.delta);
      if (choice.finish_reason) slot.finish.push(choice.finish_reason);
    }
  }
  return out;
}

describe("gemini: several candidates", () => {
  test("unstreamed: one choice per candidate, in index order, candidate 0 without an index; usage as reported", () => {
    const body = {
      candidates: [text("second", { index: 1, finishReason: "MAX_TOKENS" }), text("first", { finishReason: "STOP" }), { ...call("lookup"), index: 2 }],
      usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 9, totalTokenCount: 12 },
    };
    const { completion, usage } = parseGeminiResponse(body, ctx);
    expect(completion.choices.map((c) => [c.index, c.message.content, c.message.tool_calls?.map((t) => t.function.name) ?? null, c.finish_reason])).toEqual([
      [0, "first", null, "stop"],
      [1, "second", null, "length"],
      [2, null, ["lookup"], "tool_calls"],
    ]);
    expect(usage.outputTokens).toBe(9);
  });

  test("two candidates with one index (two left out, or one said twice) are a protocol failure, never one choice of two answers", () => {
    expect(() => parseGeminiResponse({ candidates: [text("a"), text("b")] }, ctx)).toThrow(VendorProtocolError);
    expect(() => parseGeminiResponse({ candidates: [text("a", { index: 1 }), text("b", { index: 1 })] }, ctx)).toThrow(VendorProtocolError);
    expect(() => parseGeminiResponse({ candidates: [text("a", { index: -1 })] }, ctx)).toThrow(VendorProtocolError);
  });

  test("streamed: each candidate's pieces under its own choice index, each with its role chunk first and its own finish", () => {
    const t = createGeminiStreamTranslator(ctx);
    const chunks = [
      ...t.onEvent(ev({ candidates: [text("Hel"), text("Bon", { index: 1 })] })),
      ...t.onEvent(ev({ candidates: [text("lo", { finishReason: "STOP" }), text("jour", { index: 1 })] })),
      ...t.onEvent(ev({ candidates: [text(" toi", { index: 1, finishReason: "MAX_TOKENS" })], usageMetadata: { promptTokenCount: 2, candidatesTokenCount: 5, totalTokenCount: 7 } })),
    ];
    const end = t.finish();
    const choices = byChoice([...chunks, ...end.chunks]);
    expect(choices).toEqual({
      0: { deltas: [{ role: "assistant", content: "", refusal: null }, { content: "Hel" }, { content: "lo" }, {}], finish: ["stop"] },
      1: { deltas: [{ role: "assistant", content: "", refusal: null }, { content: "Bon" }, { content: "jour" }, { content: " toi" }, {}], finish: ["length"] },
    });
    expect(end.usage?.outputTokens).toBe(5);
  });

  test("streamed tool calls: each choice's calls numbered from 0, its finish tool_calls", () => {
    const t = createGeminiStreamTranslator(ctx);
    const chunks = [...t.onEvent(ev({ candidates: [call("a"), { ...call("b"), index: 1 }] })), ...t.onEvent(ev({ candidates: [{ ...call("c"), index: 1 }] }))];
    const choices = byChoice([...chunks, ...t.finish().chunks]);
    const calls = (i: number) => choices[i]!.deltas.flatMap((d) => (d as ChatCompletionChunk["choices"][number]["delta"]).tool_calls ?? []).map((c) => [c.index, c.function?.name]);
    expect([calls(0), calls(1)]).toEqual([[[0, "a"]], [[0, "b"], [1, "c"]]]);
    expect([choices[0]!.finish, choices[1]!.finish]).toEqual([["tool_calls"], ["tool_calls"]]);
  });

  test("the answer is complete only once every candidate seen has finished; one still writing keeps the stream open, and one never finished is a protocol failure", () => {
    const t = createGeminiStreamTranslator(ctx);
    t.onEvent(ev({ candidates: [text("a"), text("b", { index: 1 })] }));
    t.onEvent(ev({ candidates: [text("", { finishReason: "STOP" })], usageMetadata: { promptTokenCount: 2, candidatesTokenCount: 1, totalTokenCount: 3 } }));
    expect(t.endsIfQuietForMs!()).toBeNull();
    expect(() => t.finish()).toThrow(VendorProtocolError);
    t.onEvent(ev({ candidates: [text("", { index: 1, finishReason: "STOP" })], usageMetadata: { promptTokenCount: 2, candidatesTokenCount: 2, totalTokenCount: 4 } }));
    expect(t.endsIfQuietForMs!()).toBe(END_GRACE_MS);
    expect(t.finish().usage?.outputTokens).toBe(2);
  });
});
