/**
 * With n > 1 the answer reads complete only while every candidate seen has ended: a stream whose first
 * event holds choice 1's end and the answer's usage count (candidatesTokenCount) before choice 0 has
 * appeared reads complete after that event, but no longer once choice 0 shows up still writing. Had it
 * stayed complete, the stream would end after LEGACY_END_GRACE_MS of silence (a thinking model's pause)
 * with choice 0 unfinished: an error after bytes went out.
 */
import { expect, test } from "bun:test";
import type { ResponseContext, SseEvent } from "../types.ts";
import { END_GRACE_MS, createGeminiStreamTranslator } from "./stream.ts";

const ctx: ResponseContext = { completionId: "chatcmpl-c", created: 1700000000, model: "gemini-x", includeUsage: false };
const ev = (o: unknown): SseEvent => ({ event: null, data: JSON.stringify(o), id: null });
const usageMetadata = { promptTokenCount: 10, candidatesTokenCount: 3, totalTokenCount: 13 };

test("choice 1 ends first with usage, choice 0 then appears unfinished: the stream no longer reads complete", () => {
  const t = createGeminiStreamTranslator(ctx);
  t.onEvent(ev({ candidates: [{ content: { role: "model", parts: [{ text: "ok" }] }, finishReason: "STOP", index: 1 }], usageMetadata }));
  t.onEvent(ev({ candidates: [{ content: { role: "model", parts: [{ text: "hel" }] }, index: 0 }], usageMetadata }));
  expect(t.endsIfQuietForMs!()).toBeNull();
  expect(t.finalUsage!()).toBeNull();
  // Choice 0 ends with the answer's count: complete again.
  t.onEvent(ev({ candidates: [{ content: { role: "model", parts: [{ text: "lo" }] }, finishReason: "STOP", index: 0 }], usageMetadata: { ...usageMetadata, candidatesTokenCount: 5 } }));
  expect(t.endsIfQuietForMs!()).not.toBeNull();
  expect(t.finalUsage!()?.outputTokens).toBe(5);
});

test("an event without the answer's count after every choice ended keeps it complete", () => {
  const t = createGeminiStreamTranslator(ctx);
  t.onEvent(ev({ candidates: [{ content: { role: "model", parts: [{ text: "hel" }] }, index: 0 }] }));
  t.onEvent(ev({ candidates: [{ content: { role: "model", parts: [{ text: "lo" }] }, finishReason: "STOP", index: 0 }], usageMetadata }));
  expect(t.endsIfQuietForMs!()).toBe(END_GRACE_MS);
  t.onEvent(ev({ usageMetadata: { promptTokenCount: 10 } }));
  expect(t.endsIfQuietForMs!()).toBe(END_GRACE_MS);
});
