/**
 * finishReason NO_IMAGE ("The model was expected to generate an image, but none was generated",
 * https://ai.google.dev/api/generate-content#FinishReason) is how an image model (gemini-2.5-flash-image,
 * an alias pointed at it) ends a text question it answered with nothing: no parts at all (BerriAI/litellm#40477).
 * With no text and no function call there is nothing to answer: refused as an unusable answer (the next
 * deployment answers, else a 502), the refused call charged what Gemini reported, as an image-only
 * answer is (image-only-answer.test.ts), never passed off as an empty "stop". With text, the text is the
 * answer, also when it came in earlier stream events.
 */
import { expect, test } from "bun:test";
import { sseGemini } from "../../testing/scripted-vendor.ts";
import { expectRefusedAlone, expectTextAnswer, geminiAnswer as answer, useScriptedFallsBackAndAlone } from "../testing/gemini-unusable-answer.ts";

const usageMetadata = { promptTokenCount: 10, totalTokenCount: 10 };
const nothing = answer(null, "NO_IMAGE", usageMetadata);
const withText = answer([{ text: "I can only draw." }], "NO_IMAGE", { ...usageMetadata, candidatesTokenCount: 5, totalTokenCount: 15 });

const scripts = {
  "g-no-image": { provider: "gemini" as const, json: nothing, sse: sseGemini(nothing) },
  // Streamed: the text in one event, then NO_IMAGE without parts.
  "g-no-image-text": { provider: "gemini" as const, json: withText, sse: sseGemini(answer([{ text: "I can only draw." }]), answer(null, "NO_IMAGE", withText.usageMetadata)) },
};
const v = useScriptedFallsBackAndAlone(scripts);

test("unstreamed: NO_IMAGE with no output is refused and fallen back, the refused call charged the 10 prompt tokens Gemini reported", async () => {
  const before = v.fallsBack.calls.get("g-no-image") ?? 0;
  const { answer, event } = await v.fallsBack.chat("g-no-image");
  expect(v.fallsBack.calls.get("g-no-image")! - before).toBe(1); // unusable: not retried on the same deployment
  expect(event).toMatchObject({ status: "ok", fallback: true, deploymentId: "dep_echo1" });
  expect(answer.choices[0]!.message.content).toContain("Echo:");
  expect(event.usage.inputTokens).toBe(answer.usage!.prompt_tokens + 10);
});

test("streamed: NO_IMAGE with no output is refused before the first byte and fallen back", async () => {
  const streamed = await v.fallsBack.stream("g-no-image");
  expect(streamed.error).toBeNull();
  expect(streamed.content).toContain("Echo:");
  expect(streamed.event).toMatchObject({ status: "ok", fallback: true, deploymentId: "dep_echo1" });
  expect(streamed.event.usage.inputTokens).toBe(streamed.usage!.prompt_tokens + 10);
});

test("with no other deployment the client gets a 502 upstream_invalid_response, unstreamed as streamed, not an empty stop", async () => {
  await expectRefusedAlone(v.alone, "g-no-image", "what is GEO?");
});

test("NO_IMAGE after text is that text with stop, unstreamed and streamed (text in an earlier event), not fallen back", async () => {
  await expectTextAnswer(v.fallsBack, "g-no-image-text", "I can only draw.");
});
