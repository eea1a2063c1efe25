/**
 * A candidate whose `content.parts` is not a list of Part objects (https://ai.google.dev/api/caching#Content:
 * `parts[]` of Part), or whose `content` is there but no Content object (a string, a number, a list), is
 * no answer Gemini documents: refused as an invalid response, like any other
 * malformed GenerateContentResponse (the next deployment answers, the refused call charged the usage its
 * vendor reported), never read as a network failure that charges nothing for an answer Google billed,
 * nor as an empty answer charged as a good one. A candidate without `content` stays valid: Gemini sends
 * one (an empty candidate) when it has nothing to add.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { sseGemini, startScriptedVendor } from "../../testing/scripted-vendor.ts";
import { parseGeminiResponse } from "./response.ts";
import { createGeminiStreamTranslator } from "./stream.ts";
import { VendorProtocolError } from "../types.ts";

const usageMetadata = { promptTokenCount: 10, candidatesTokenCount: 3, totalTokenCount: 13 };
const answer = (parts: unknown) => ({ candidates: [{ content: { role: "model", parts }, finishReason: "STOP", index: 0 }], usageMetadata, modelVersion: "gemini-x" });
const MALFORMED: [string, unknown][] = [
  ["parts an object", {}],
  ["parts a string", "hi"],
  ["a null part", [{ text: "a" }, null]],
  ["a string part", ["a"]],
];

const withContent = (content: unknown) => ({ candidates: [{ content, finishReason: "STOP", index: 0 }], usageMetadata });
const MALFORMED_CONTENT: [string, unknown][] = [
  ["content a string", "x"],
  ["content a number", 5],
  ["content a list", [{ text: "a" }]],
  ["content true", true],
];

let v: Awaited<ReturnType<typeof startScriptedVendor>>;
beforeAll(async () => {
  v = await startScriptedVendor(
    { "g-bad-parts": { provider: "gemini", json: answer({}), sse: sseGemini(answer([null])) } },
    true, // falls back to the echo deployment
  );
});
afterAll(() => v.stop());

const ctx = { completionId: "c", created: 1, model: "g", includeUsage: true };

/** `body` refused as a protocol error, unstreamed and as a stream's event. */
function refusedBothWays(body: unknown): void {
  expect(() => parseGeminiResponse(body, ctx)).toThrow(VendorProtocolError);
  expect(() => createGeminiStreamTranslator(ctx).onEvent({ event: null, id: null, data: JSON.stringify(body) })).toThrow(VendorProtocolError);
}

test("each malformed parts is a protocol error, unstreamed and streamed", () => {
  for (const [, parts] of MALFORMED) refusedBothWays(answer(parts));
});

test("a content that is no object is a protocol error, unstreamed and streamed; a missing or null content is an empty candidate", () => {
  for (const [, content] of MALFORMED_CONTENT) refusedBothWays(withContent(content));
  for (const candidate of [{ finishReason: "STOP", index: 0 }, { content: null, finishReason: "STOP", index: 0 }]) {
    const body = { candidates: [candidate], usageMetadata };
    expect(parseGeminiResponse(body, ctx).completion.choices[0]).toMatchObject({ message: { content: null }, finish_reason: "stop" });
    expect(() => createGeminiStreamTranslator(ctx).onEvent({ event: null, id: null, data: JSON.stringify(body) })).not.toThrow();
  }
});

test("refused and fallen back, unstreamed as streamed, each refused call charged what Gemini reported", async () => {
  const before = v.calls.get("g-bad-parts") ?? 0;
  const plain = await v.chat("g-bad-parts");
  expect(plain.event).toMatchObject({ status: "ok", fallback: true, deploymentId: "dep_echo1" });
  const refused = (v.calls.get("g-bad-parts") ?? 0) - before;
  expect(refused).toBeGreaterThan(0);
  expect(plain.event.usage.inputTokens).toBe(plain.answer.usage!.prompt_tokens + 10 * refused);

  const streamed = await v.stream("g-bad-parts");
  expect(streamed.error).toBeNull();
  expect(streamed.content).toContain("Echo:");
  expect(streamed.event).toMatchObject({ status: "ok", fallback: true, deploymentId: "dep_echo1" });
});
