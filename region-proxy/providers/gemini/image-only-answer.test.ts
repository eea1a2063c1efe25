/**
 * A Gemini answer whose output is only inlineData (an image, as gemini-2.5-flash-image answers a chat,
 * an operator having pointed an alias at an image-capable model) has nothing a chat completion can
 * carry: it is refused as an unusable answer (the next deployment answers, else a 502
 * upstream_invalid_response), never passed off as an empty "stop" answer, and the refused call is
 * charged the usage Gemini reported for it, unstreamed as streamed. An answer with text next to an
 * image is that text, as before (the image is not forwarded), also when the image comes first in a stream.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import OpenAI from "openai";
import { sseGemini, startScriptedVendor } from "../../testing/scripted-vendor.ts";

const image = { inlineData: { mimeType: "image/png", data: "iVBORw0KGgo=" } };
const usageMetadata = { promptTokenCount: 10, candidatesTokenCount: 1290, totalTokenCount: 1300, candidatesTokensDetails: [{ modality: "IMAGE", tokenCount: 1290 }] };
const answer = (parts: unknown[], finishReason?: string, usage?: unknown) => ({
  candidates: [{ content: { role: "model", parts }, ...(finishReason ? { finishReason } : {}), index: 0 }],
  ...(usage ? { usageMetadata: usage } : {}),
  modelVersion: "gemini-2.5-flash-image",
});
const imageOnly = answer([image], "STOP", usageMetadata);
const textAndImage = answer([{ text: "A cat:" }, image], "STOP", usageMetadata);

const scripts = {
  "g-image": { provider: "gemini" as const, json: imageOnly, sse: sseGemini(imageOnly) },
  // Streamed: the image in one event, then text in the next.
  "g-image-then-text": { provider: "gemini" as const, json: textAndImage, sse: sseGemini(answer([image]), answer([{ text: "A cat:" }], "STOP", usageMetadata)) },
};
let fallsBack: Awaited<ReturnType<typeof startScriptedVendor>>;
let alone: Awaited<ReturnType<typeof startScriptedVendor>>;
beforeAll(async () => {
  fallsBack = await startScriptedVendor(scripts, true);
  alone = await startScriptedVendor(scripts);
});
afterAll(async () => {
  await fallsBack.stop();
  await alone.stop();
});

test("unstreamed: an image-only answer is refused and fallen back, the refused call charged the 1,290 tokens Gemini reported", async () => {
  const before = fallsBack.calls.get("g-image") ?? 0;
  const { answer, event } = await fallsBack.chat("g-image");
  expect(fallsBack.calls.get("g-image")! - before).toBe(1); // unusable: not retried on the same deployment
  expect(event).toMatchObject({ status: "ok", fallback: true, deploymentId: "dep_echo1" });
  expect(answer.choices[0]!.message.content).toContain("Echo:");
  expect(event.usage.outputTokens).toBe(answer.usage!.completion_tokens + 1290);
  expect(event.usage.inputTokens).toBe(answer.usage!.prompt_tokens + 10);
});

test("streamed: an image-only answer is refused before the first byte and fallen back, the refused call charged as reported", async () => {
  const streamed = await fallsBack.stream("g-image");
  expect(streamed.error).toBeNull();
  expect(streamed.content).toContain("Echo:");
  expect(streamed.event).toMatchObject({ status: "ok", fallback: true, deploymentId: "dep_echo1" });
  expect(streamed.event.usage.outputTokens).toBe(streamed.usage!.completion_tokens + 1290);
});

test("with no other deployment the client gets a 502 upstream_invalid_response, unstreamed as streamed, not an empty stop", async () => {
  const client = alone.fx.client(alone.proxy, undefined, { maxRetries: 0 });
  const ask = { model: "g-image", messages: [{ role: "user" as const, content: "draw a cat" }] };
  const plain = await client.chat.completions.create(ask).catch((e) => e);
  expect(plain).toBeInstanceOf(OpenAI.APIError);
  expect(plain.status).toBe(502);
  expect(plain.code).toBe("upstream_invalid_response");
  const streamed = await client.chat.completions.create({ ...ask, stream: true }).catch((e) => e);
  expect(streamed).toBeInstanceOf(OpenAI.APIError);
  expect(streamed.status).toBe(502);
  expect(streamed.code).toBe("upstream_invalid_response");
});

test("text next to an image is the answer, unstreamed and streamed (image first), and not fallen back", async () => {
  const plain = await fallsBack.chat("g-image-then-text");
  expect(plain.event.fallback).toBe(false);
  expect(plain.answer.choices[0]!.message.content).toBe("A cat:");
  expect(plain.answer.choices[0]!.finish_reason).toBe("stop");
  const streamed = await fallsBack.stream("g-image-then-text");
  expect(streamed.event.fallback).toBe(false);
  expect(streamed.content).toBe("A cat:");
  expect(streamed.finish).toEqual(["stop"]);
});
