/**
 * With n > 1 (candidateCount), one candidate ending with a reason whose output cannot be used
 * (MALFORMED_FUNCTION_CALL and the rest of finish-reason.ts's UNUSABLE_ANSWER) does not cost the client
 * the others, as an empty choice does not (empty-choice.test.ts): the answer is the choices with output,
 * the unusable one ending stop with what it had written (content null when nothing), unstreamed and
 * streamed. Only an answer whose every choice is unusable or empty is refused (the next deployment
 * answers), as the one choice of n = 1 is (unusable-tool-call.test.ts, malformed-call-breaker.test.ts).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { sseGemini, startScriptedVendor } from "../../testing/scripted-vendor.ts";
import { byChoice, expectEveryChoiceRefused, geminiCandidates, type GeminiCandidate as Candidate } from "../testing/gemini-unusable-answer.ts";
import type { ResponseContext, SseEvent } from "../types.ts";
import { UnusableAnswerError } from "../unusable-answer.ts";
import { parseGeminiResponse } from "./response.ts";
import { createGeminiStreamTranslator } from "./stream.ts";

const usageMetadata = { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 };
const event = (candidates: Candidate[], usage?: unknown) => geminiCandidates(candidates, usage, "gemini-2.5-flash");
const malformed = (index: number, parts?: unknown[]): Candidate => ({ index, ...(parts ? { parts } : {}), finishReason: "MALFORMED_FUNCTION_CALL" });

// Gemini 2.x model ids: the only series the gateway sends candidateCount to (request.ts).
const MALFORMED_MODEL = "gemini-2.5-flash-n2-malformed";
const PARTIAL_MODEL = "gemini-2.5-flash-n2-partial";
const BOTH_MODEL = "gemini-2.5-flash-n2-both-malformed";
/** Choice 1 ends unusable with a readable function call (and, for MALFORMED_FUNCTION_CALL, text): the call is not the client's to run. */
const CALL_MODELS = {
  "gemini-2.5-flash-n2-unexpected-call": { reason: "UNEXPECTED_TOOL_CALL", text: null },
  "gemini-2.5-flash-n2-too-many-calls": { reason: "TOO_MANY_TOOL_CALLS", text: null },
  "gemini-2.5-flash-n2-malformed-readable": { reason: "MALFORMED_FUNCTION_CALL", text: "Calling" },
} as const;
const undeclaredCall = { functionCall: { name: "not_a_declared_tool", args: { x: 1 } } };
const withCall = (reason: string, text: string | null): Candidate => ({ index: 1, parts: [...(text ? [{ text }] : []), undeclaredCall], finishReason: reason });
const scripts = {
  // Choice 0 sends 'hel', then (past the first byte) 'lo' and STOP next to choice 1's MALFORMED_FUNCTION_CALL.
  [MALFORMED_MODEL]: {
    provider: "gemini" as const,
    json: event([{ index: 0, parts: [{ text: "hello" }], finishReason: "STOP" }, malformed(1)], usageMetadata),
    sse: [sseGemini(event([{ index: 0, parts: [{ text: "hel" }] }])), sseGemini(event([{ index: 0, parts: [{ text: "lo" }], finishReason: "STOP" }, malformed(1)], usageMetadata))],
  },
  // Choice 1 writes 'Let me' before its call is botched; its text is kept, its end is stop.
  [PARTIAL_MODEL]: {
    provider: "gemini" as const,
    json: event([{ index: 0, parts: [{ text: "hello" }], finishReason: "STOP" }, malformed(1, [{ text: "Let me" }])], usageMetadata),
    sse: [
      sseGemini(event([{ index: 0, parts: [{ text: "hel" }] }, { index: 1, parts: [{ text: "Let me" }] }])),
      sseGemini(event([{ index: 0, parts: [{ text: "lo" }], finishReason: "STOP" }, malformed(1)], usageMetadata)),
    ],
  },
  // Both botched, nothing written: refused before the first byte, the next deployment answers.
  [BOTH_MODEL]: {
    provider: "gemini" as const,
    json: event([malformed(0), { index: 1, finishReason: "UNEXPECTED_TOOL_CALL" }], usageMetadata),
    sse: [sseGemini(event([{ index: 0 }, { index: 1 }])), sseGemini(event([malformed(0), { index: 1, finishReason: "UNEXPECTED_TOOL_CALL" }], usageMetadata))],
  },
  ...Object.fromEntries(
    Object.entries(CALL_MODELS).map(([model, { reason, text }]) => [
      model,
      {
        provider: "gemini" as const,
        json: event([{ index: 0, parts: [{ text: "hello" }], finishReason: "STOP" }, withCall(reason, text)], usageMetadata),
        sse: [sseGemini(event([{ index: 0, parts: [{ text: "hel" }] }])), sseGemini(event([{ index: 0, parts: [{ text: "lo" }], finishReason: "STOP" }, withCall(reason, text)], usageMetadata))],
      },
    ]),
  ),
};
let v: Awaited<ReturnType<typeof startScriptedVendor>>;
beforeAll(async () => {
  v = await startScriptedVendor(scripts, true);
});
afterAll(() => v.stop());

for (const [model, second] of [
  [MALFORMED_MODEL, null],
  [PARTIAL_MODEL, "Let me"],
] as const) {
  test(`${model} unstreamed, n 2: choice 0's hello is the answer, choice 1 ends stop, not fallen back`, async () => {
    const { answer, event } = await v.chat(model, { n: 2 });
    expect(event).toMatchObject({ status: "ok", fallback: false, deploymentId: `dep_${model}` });
    expect(answer.choices.map((c) => [c.index, c.message.content, c.finish_reason])).toEqual([
      [0, "hello", "stop"],
      [1, second, "stop"],
    ]);
  });

  test(`${model} streamed, n 2: choice 0's hello and stop, choice 1's stop, no error`, async () => {
    const streamed = await v.stream(model, { n: 2 });
    expect(streamed.error).toBeNull();
    expect(streamed.event).toMatchObject({ status: "ok", fallback: false, deploymentId: `dep_${model}` });
    expect(byChoice(streamed.chunks)).toEqual([
      [0, { content: "hello", finish: ["stop"] }],
      [1, { content: second ?? "", finish: ["stop"] }],
    ]);
    expect(streamed.usage?.completion_tokens).toBe(5);
  });
}

test("every choice unusable, n 2: refused and fallen back, unstreamed and streamed (before the first byte)", async () => {
  await expectEveryChoiceRefused(v, BOTH_MODEL);
});

test("an unusable candidate whose content cannot be read is still an unusable answer, not a broken vendor", () => {
  const ctx: ResponseContext = { completionId: "chatcmpl-u", created: 1700000000, model: "gemini-x", includeUsage: false };
  const body = { candidates: [{ content: { role: "model", parts: [{ functionCall: { args: {} } }] }, finishReason: "MALFORMED_FUNCTION_CALL" }], usageMetadata };
  expect(() => parseGeminiResponse(body, ctx)).toThrow(UnusableAnswerError);
});

for (const [model, { reason, text }] of Object.entries(CALL_MODELS)) {
  test(`${reason} with a readable function call, n 2, unstreamed: choice 1 passes on no tool call and ends stop`, async () => {
    const { answer, event } = await v.chat(model, { n: 2 });
    expect(event).toMatchObject({ status: "ok", fallback: false, deploymentId: `dep_${model}` });
    expect(answer.choices.map((c) => [c.index, c.message.content, c.message.tool_calls ?? [], c.finish_reason])).toEqual([
      [0, "hello", [], "stop"],
      [1, text, [], "stop"],
    ]);
  });

  test(`${reason} with a readable function call, n 2, streamed: choice 1 sends no tool_calls delta and ends stop`, async () => {
    const streamed = await v.stream(model, { n: 2 });
    expect(streamed.error).toBeNull();
    expect(streamed.event).toMatchObject({ status: "ok", fallback: false, deploymentId: `dep_${model}` });
    expect(streamed.chunks.flatMap((c) => c.choices).filter((c) => c.delta?.tool_calls)).toEqual([]);
    expect(byChoice(streamed.chunks)).toEqual([
      [0, { content: "hello", finish: ["stop"] }],
      [1, { content: text ?? "", finish: ["stop"] }],
    ]);
  });
}

test("n 1: a candidate ending unusable with a readable function call is still refused whole, unstreamed and streamed (nothing sent)", () => {
  const ctx: ResponseContext = { completionId: "chatcmpl-u", created: 1700000000, model: "gemini-x", includeUsage: false };
  for (const reason of ["UNEXPECTED_TOOL_CALL", "TOO_MANY_TOOL_CALLS", "MALFORMED_FUNCTION_CALL"]) {
    const body = { candidates: [{ content: { role: "model", parts: [undeclaredCall] }, finishReason: reason }], usageMetadata };
    expect(() => parseGeminiResponse(body, ctx)).toThrow(UnusableAnswerError);
    const stream = createGeminiStreamTranslator(ctx);
    expect(stream.onEvent({ event: null, data: JSON.stringify(body) } as unknown as SseEvent)).toEqual([]);
    expect(() => stream.finish()).toThrow(UnusableAnswerError);
  }
});
