/**
 * With n > 1 (candidateCount), one candidate that leaves nothing a chat completion can carry (ended by
 * NO_IMAGE with no parts, or an image alone) does not cost the client the others: the answer is that
 * of the choices with output, the empty one ending with the finish reason its finishReason maps to
 * (stop), unstreamed and streamed. Only an answer whose every choice is such an empty end is refused
 * (the next deployment answers), as the one choice of n = 1 is (no-image.test.ts,
 * image-only-answer.test.ts): a stream then has sent nothing, so it is refused before the first byte.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { sseGemini, startScriptedVendor } from "../../testing/scripted-vendor.ts";
import { byChoice, expectEveryChoiceRefused, geminiCandidates as event, type GeminiCandidate as Candidate } from "../testing/gemini-unusable-answer.ts";

const image = { inlineData: { mimeType: "image/png", data: "iVBORw0KGgo=" } };
const usageMetadata = { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 };
const hello = { text: "hello" };
/**
 * Choice 0 answers hello and stops; choice 1 ends as `second` says. Streamed, hello comes first and
 * both ends a pause later (SSE_PAUSE_MS), once the proxy has sent hello: the stream is past its first byte.
 */
const script = (second: Candidate) => ({
  provider: "gemini" as const,
  json: event([{ index: 0, parts: [hello], finishReason: "STOP" }, second], usageMetadata),
  sse: [sseGemini(event([{ index: 0, parts: [hello] }])), sseGemini(event([{ index: 0, finishReason: "STOP" }, second], usageMetadata))],
});
const emptyEnds: Candidate[] = [
  { index: 0, finishReason: "NO_IMAGE" },
  { index: 1, parts: [image], finishReason: "STOP" },
];
// Gemini 2.x model ids: the only series the gateway sends candidateCount to (request.ts).
const NO_IMAGE_MODEL = "gemini-2.5-flash-image-n2-no-image";
const IMAGE_MODEL = "gemini-2.5-flash-image-n2-image";
const EMPTY_MODEL = "gemini-2.5-flash-image-n2-empty";
const scripts = {
  [NO_IMAGE_MODEL]: script({ index: 1, finishReason: "NO_IMAGE" }),
  [IMAGE_MODEL]: script({ index: 1, parts: [image], finishReason: "STOP" }),
  // Streamed: choice 1's image first, the ends a pause later; nothing has gone out.
  [EMPTY_MODEL]: {
    provider: "gemini" as const,
    json: event(emptyEnds, usageMetadata),
    sse: [sseGemini(event([{ index: 1, parts: [image] }])), sseGemini(event([emptyEnds[0]!, { index: 1, finishReason: "STOP" }], usageMetadata))],
  },
};
let v: Awaited<ReturnType<typeof startScriptedVendor>>;
beforeAll(async () => {
  v = await startScriptedVendor(scripts, true);
});
afterAll(() => v.stop());

for (const model of [NO_IMAGE_MODEL, IMAGE_MODEL]) {
  test(`${model} unstreamed, n 2: choice 0's hello is the answer, choice 1 an empty stop, not fallen back`, async () => {
    const { answer, event } = await v.chat(model, { n: 2 });
    expect(event).toMatchObject({ fallback: false, deploymentId: `dep_${model}` });
    expect(answer.choices.map((c) => [c.index, c.message.content, c.finish_reason])).toEqual([
      [0, "hello", "stop"],
      [1, null, "stop"],
    ]);
  });

  test(`${model} streamed, n 2: choice 0's hello and stop, choice 1's stop, no error`, async () => {
    const streamed = await v.stream(model, { n: 2 });
    expect(streamed.error).toBeNull();
    expect(streamed.event).toMatchObject({ fallback: false, deploymentId: `dep_${model}` });
    expect(byChoice(streamed.chunks)).toEqual([
      [0, { content: "hello", finish: ["stop"] }],
      [1, { content: "", finish: ["stop"] }],
    ]);
    expect(streamed.usage?.completion_tokens).toBe(5);
  });
}

test("every choice empty, n 2: refused and fallen back, unstreamed and streamed (before the first byte)", async () => {
  await expectEveryChoiceRefused(v, EMPTY_MODEL);
});
