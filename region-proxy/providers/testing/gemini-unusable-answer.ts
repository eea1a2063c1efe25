/**
 * What the tests of a Gemini answer refused as unusable share. With n = 1 (no-image.test.ts,
 * image-only-answer.test.ts): a Gemini answer of one candidate, the scripted vendor started twice over
 * the same scripts (`fallsBack`, each alias falling back to the echo deployment, and `alone`, with none
 * to fall back to), and the checks both make: alone, the refused answer is a 502
 * upstream_invalid_response; an answer with text is that text. With n > 1 (empty-choice.test.ts,
 * unusable-choice.test.ts): an answer of several candidates, a stream's text and finish reasons by
 * choice, and the check that an answer whose every choice is unusable is refused and fallen back.
 *
 * @example const v = useScriptedFallsBackAndAlone({ "g-image": { provider: "gemini", json: geminiAnswer([image], "STOP") } });
 *          test("...", () => expectRefusedAlone(v.alone, "g-image", "draw a cat"));
 */
import { afterAll, beforeAll, expect } from "bun:test";
import OpenAI from "openai";
import { startScriptedVendor, type VendorScript } from "../../testing/scripted-vendor.ts";

type ScriptedVendor = Awaited<ReturnType<typeof startScriptedVendor>>;

export type GeminiCandidate = { index: number; parts?: unknown[]; finishReason?: string };

/** Gemini's generateContent answer of these candidates (without parts: content without parts), with usageMetadata when given. */
export const geminiCandidates = (candidates: GeminiCandidate[], usage?: unknown, modelVersion = "gemini-2.5-flash-image") => ({
  candidates: candidates.map(({ index, parts, finishReason }) => ({ content: parts ? { role: "model", parts } : { role: "model" }, ...(finishReason ? { finishReason } : {}), index })),
  ...(usage ? { usageMetadata: usage } : {}),
  modelVersion,
});

/** Gemini's generateContent answer of one candidate: `parts` (null: content without parts), its finishReason and usageMetadata when given. */
export const geminiAnswer = (parts: unknown[] | null, finishReason?: string, usage?: unknown) => geminiCandidates([{ index: 0, parts: parts ?? undefined, finishReason }], usage);

/** The scripted vendor over `scripts` twice, for the whole file; its fields are set once beforeAll has run. */
export function useScriptedFallsBackAndAlone(scripts: Record<string, VendorScript>) {
  const v = {} as { fallsBack: ScriptedVendor; alone: ScriptedVendor };
  beforeAll(async () => {
    v.fallsBack = await startScriptedVendor(scripts, true);
    v.alone = await startScriptedVendor(scripts);
  });
  afterAll(async () => {
    await v.fallsBack.stop();
    await v.alone.stop();
  });
  return v;
}

/** With no other deployment, `question` to `model` is a 502 upstream_invalid_response, unstreamed as streamed. */
export async function expectRefusedAlone(alone: ScriptedVendor, model: string, question: string) {
  const client = alone.fx.client(alone.proxy, undefined, { maxRetries: 0 });
  const ask = { model, messages: [{ role: "user" as const, content: question }] };
  const plain = await client.chat.completions.create(ask).catch((e) => e);
  expect(plain).toBeInstanceOf(OpenAI.APIError);
  expect(plain.status).toBe(502);
  expect(plain.code).toBe("upstream_invalid_response");
  const streamed = await client.chat.completions.create({ ...ask, stream: true }).catch((e) => e);
  expect(streamed).toBeInstanceOf(OpenAI.APIError);
  expect(streamed.status).toBe(502);
  expect(streamed.code).toBe("upstream_invalid_response");
}

/** `model` answers `text` with stop, unstreamed and streamed, not fallen back. */
export async function expectTextAnswer(fallsBack: ScriptedVendor, model: string, text: string) {
  const plain = await fallsBack.chat(model);
  expect(plain.event.fallback).toBe(false);
  expect(plain.answer.choices[0]!.message.content).toBe(text);
  expect(plain.answer.choices[0]!.finish_reason).toBe("stop");
  const streamed = await fallsBack.stream(model);
  expect(streamed.event.fallback).toBe(false);
  expect(streamed.content).toBe(text);
  expect(streamed.finish).toEqual(["stop"]);
}

/** Each choice of a stream: its text and its finish reasons. */
export const byChoice = (chunks: OpenAI.ChatCompletionChunk[]) => {
  const choices = new Map<number, { content: string; finish: string[] }>();
  for (const choice of chunks.flatMap((c) => c.choices)) {
    const seen = choices.get(choice.index) ?? { content: "", finish: [] };
    seen.content += choice.delta?.content ?? "";
    if (choice.finish_reason) seen.finish.push(choice.finish_reason);
    choices.set(choice.index, seen);
  }
  return [...choices.entries()].sort(([a], [b]) => a - b);
};

/** With n 2, `model`'s answer is refused as invalid and fallen back to the echo deployment, unstreamed and streamed (before the first byte). */
export async function expectEveryChoiceRefused(fallsBack: ScriptedVendor, model: string) {
  const refused = { deploymentId: `dep_${model}`, outcome: "error", reason: "invalid_response" };
  const plain = await fallsBack.chat(model, { n: 2 });
  expect(plain.event).toMatchObject({ status: "ok", fallback: true, deploymentId: "dep_echo1" });
  expect(plain.event.attemptTrail?.[0]).toMatchObject(refused);
  const streamed = await fallsBack.stream(model, { n: 2 });
  expect(streamed.error).toBeNull();
  expect(streamed.event).toMatchObject({ status: "ok", fallback: true, deploymentId: "dep_echo1" });
  expect(streamed.event.attemptTrail?.[0]).toMatchObject(refused);
  expect(streamed.content).toContain("Echo:");
}
