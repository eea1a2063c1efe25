/**
 * A Gemini answer whose output is only inlineData (an image, as gemini-2.5-flash-image answers a chat,
 * an operator having pointed an alias at an image-capable model) has nothing a chat completion can
 * carry: it is refused as an unusable answer (the next deployment answers, else a 502
 * upstream_invalid_response), never passed off as an empty "stop" answer, and the refused call is
 * charged the usage Gemini reported for it, unstreamed as streamed. An answer with text next to an
 * image is that text, as before (the image is not forwarded), also when the image comes first in a stream.
 */
import { expect, test } from "bun:test";
import { sseGemini } from "../../testing/scripted-vendor.ts";
import { expectRefusedAlone, expectTextAnswer, geminiAnswer as answer, useScriptedFallsBackAndAlone } from "../testing/gemini-unusable-answer.ts";

const image = { inlineData: { mimeType: "image/png", data: "iVBORw0KGgo=" } };
const usageMetadata = { promptTokenCount: 10, candidatesTokenCount: 1290, totalTokenCount: 1300, candidatesTokensDetails: [{ modality: "IMAGE", tokenCount: 1290 }] };
const imageOnly = answer([image], "STOP", usageMetadata);
const textAndImage = answer([{ text: "A cat:" }, image], "STOP", usageMetadata);

const scripts = {
  "g-image": { provider: "gemini" as const, json: imageOnly, sse: sseGemini(imageOnly) },
  // Streamed: the image in one event, then text in the next.
  "g-image-then-text": { provider: "gemini" as const, json: textAndImage, sse: sseGemini(answer([image]), answer([{ text: "A cat:" }], "STOP", usageMetadata)) },
};
const v = useScriptedFallsBackAndAlone(scripts);

test("unstreamed: an image-only answer is refused and fallen back, the refused call charged the 1,290 tokens Gemini reported", async () => {
  const before = v.fallsBack.calls.get("g-image") ?? 0;
  const { answer, event } = await v.fallsBack.chat("g-image");
  expect(v.fallsBack.calls.get("g-image")! - before).toBe(1); // unusable: not retried on the same deployment
  expect(event).toMatchObject({ status: "ok", fallback: true, deploymentId: "dep_echo1" });
  expect(answer.choices[0]!.message.content).toContain("Echo:");
  expect(event.usage.outputTokens).toBe(answer.usage!.completion_tokens + 1290);
  expect(event.usage.inputTokens).toBe(answer.usage!.prompt_tokens + 10);
});

test("streamed: an image-only answer is refused before the first byte and fallen back, the refused call charged as reported", async () => {
  const streamed = await v.fallsBack.stream("g-image");
  expect(streamed.error).toBeNull();
  expect(streamed.content).toContain("Echo:");
  expect(streamed.event).toMatchObject({ status: "ok", fallback: true, deploymentId: "dep_echo1" });
  expect(streamed.event.usage.outputTokens).toBe(streamed.usage!.completion_tokens + 1290);
});

test("with no other deployment the client gets a 502 upstream_invalid_response, unstreamed as streamed, not an empty stop", async () => {
  await expectRefusedAlone(v.alone, "g-image", "draw a cat");
});

test("text next to an image is the answer, unstreamed and streamed (image first), and not fallen back", async () => {
  await expectTextAnswer(v.fallsBack, "g-image-then-text", "A cat:");
});
