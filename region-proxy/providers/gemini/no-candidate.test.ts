/**
 * Gemini documents an answer without candidates only for a prompt it blocked (promptFeedback.blockReason).
 * One with neither is no answer: refused (invalid_response, the next deployment answers, the refused call
 * charged the usage its vendor reported), unstreamed as streamed; a blocked prompt stays content_filter
 * in both.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { sseGemini, startScriptedVendor } from "../../testing/scripted-vendor.ts";

const usageMetadata = { promptTokenCount: 10, totalTokenCount: 10 };
const noCandidate = { usageMetadata, modelVersion: "gemini-x" };
const blocked = { promptFeedback: { blockReason: "SAFETY" }, usageMetadata, modelVersion: "gemini-x" };
let v: Awaited<ReturnType<typeof startScriptedVendor>>;
beforeAll(async () => {
  v = await startScriptedVendor(
    {
      "g-no-candidate": { provider: "gemini", json: noCandidate, sse: sseGemini(noCandidate) },
      "g-blocked": { provider: "gemini", json: blocked, sse: sseGemini(blocked) },
    },
    true, // each alias falls back to the echo deployment
  );
});
afterAll(() => v.stop());

test("no candidate and no blockReason: refused and fallen back, unstreamed as streamed, each refused call charged", async () => {
  const before = v.calls.get("g-no-candidate") ?? 0;
  const plain = await v.chat("g-no-candidate");
  expect(plain.event).toMatchObject({ status: "ok", fallback: true, deploymentId: "dep_echo1" });
  expect(plain.answer.choices[0]!.message.content).toContain("Echo:");
  const refused = (v.calls.get("g-no-candidate") ?? 0) - before;
  expect(refused).toBeGreaterThan(0);
  // The echo's own prompt tokens, plus the 10 Gemini reported on each refused call.
  expect(plain.event.usage.inputTokens).toBe(plain.answer.usage!.prompt_tokens + 10 * refused);

  const streamed = await v.stream("g-no-candidate");
  expect(streamed.error).toBeNull();
  expect(streamed.content).toContain("Echo:");
  expect(streamed.event).toMatchObject({ status: "ok", fallback: true, deploymentId: "dep_echo1" });
});

test("a blocked prompt is content_filter, unstreamed as streamed, and not fallen back", async () => {
  const plain = await v.chat("g-blocked");
  expect(plain.event.fallback).toBe(false);
  expect(plain.answer.choices[0]!.finish_reason).toBe("content_filter");
  expect(plain.answer.choices[0]!.message.content).toBeNull();

  const streamed = await v.stream("g-blocked");
  expect(streamed.event.fallback).toBe(false);
  expect(streamed.finish).toEqual(["content_filter"]);
  expect(streamed.content).toBe("");
});
