/**
 * Every answer the echo vendor writes is held to MAX_ANSWER_CHARS over its n choices (instanceBudget
 * per choice), whatever asked for it: plain echo text and json_object content are cut as a model
 * hitting its output cap cuts them (finish_reason "length", usage counting what was sent, streamed as
 * unstreamed), json_schema instances and tool arguments past it are refused. The final reader measured
 * a 0.5 MB message with n=128 streamed at 7.8 GB of body before.
 */
import { expect, test } from "bun:test";
import { echoAnswer, MAX_ANSWER_CHARS } from "./echo-answer.ts";
import { readChatRequest } from "./chat-request.ts";
import { Refusal } from "./openai-request-readers.ts";
import { useEchoVendor } from "./test-client.ts";

const echo = useEchoVendor();
const words = "a ".repeat(500_000); // 1 MB: the proxy's default MAX_BODY_BYTES lets it through
const answerOf = (extra: Record<string, unknown>) => {
  const read = readChatRequest({ messages: [{ role: "user", content: words }], n: 128, ...extra });
  if (read instanceof Refusal) throw new Error(read.message);
  const answer = echoAnswer(read, "chatcmpl-x");
  return answer instanceof Refusal ? 0 : answer.choices.reduce((sum, c) => sum + c.pieces.join("").length, 0);
};

test("the plain echo's n choices together stay within MAX_ANSWER_CHARS (or are refused)", () => {
  expect(answerOf({})).toBeLessThanOrEqual(MAX_ANSWER_CHARS);
});

test("json_object content is held to the same budget as json_schema", () => {
  expect(answerOf({ response_format: { type: "json_object" } })).toBeLessThanOrEqual(MAX_ANSWER_CHARS);
  expect(answerOf({ response_format: { type: "json_schema", json_schema: { name: "x" } } })).toBeLessThanOrEqual(MAX_ANSWER_CHARS);
});

test("a cut echo of short words stays within a piece count per choice (at most its budget / 8 pieces: frames, not only characters, are bounded)", () => {
  const read = readChatRequest({ messages: [{ role: "user", content: "word ".repeat(200_000) }], n: 64 });
  if (read instanceof Refusal) throw new Error(read.message);
  const answer = echoAnswer(read, "chatcmpl-x");
  if (answer instanceof Refusal) throw new Error(answer.message);
  for (const choice of answer.choices) expect(choice.pieces.length).toBeLessThanOrEqual(Math.ceil(MAX_ANSWER_CHARS / 64 / 8));
});

// Long words, so the cut is decided by characters with ~20,000 frames (short words reach the piece
// bound above with ~250,000 frames: the same check, 3.4 s of SSE parsing).
const LONG_WORD = "w".repeat(99);

test("a cut echo ends with finish_reason length, whole words, usage its pieces, streamed as unstreamed", async () => {
  const body = { model: "echo-1", messages: [{ role: "user", content: `${LONG_WORD} `.repeat(10_000) }], n: 64 };
  const reply = (await (await echo.post("/v1/chat/completions", body)).json()) as {
    choices: { message: { content: string }; finish_reason: string }[];
    usage: { completion_tokens: number };
  };
  const content = reply.choices[0]!.message.content;
  expect(reply.choices.map((c) => c.finish_reason)).toEqual(Array(64).fill("length"));
  expect(content.length * 64).toBeLessThanOrEqual(MAX_ANSWER_CHARS);
  expect(content.startsWith(`Echo: ${LONG_WORD} ${LONG_WORD}`) && content.endsWith(` ${LONG_WORD}`)).toBe(true);
  expect(reply.usage.completion_tokens).toBe(64 * (content.split(" ").length));
  const stream = await echo.client.chat.completions.create({ ...body, model: "echo-1", messages: body.messages as never, stream: true, stream_options: { include_usage: true } });
  const text: string[] = Array(64).fill("");
  const finish: (string | null)[] = Array(64).fill(null);
  let usage = 0;
  for await (const chunk of stream) {
    for (const c of chunk.choices) {
      text[c.index] += c.delta.content ?? "";
      finish[c.index] = c.finish_reason ?? finish[c.index]!;
    }
    usage = chunk.usage?.completion_tokens ?? usage;
  }
  expect([text[63], finish[63], usage]).toEqual([content, "length", reply.usage.completion_tokens]);
});

test("a short echo is not cut", async () => {
  const reply = await echo.client.chat.completions.create({ model: "echo-1", messages: [{ role: "user", content: "hi there" }], n: 128 });
  expect([reply.choices[127]!.message.content, reply.choices[127]!.finish_reason]).toEqual(["Echo: hi there", "stop"]);
});
