/**
 * Azure answers an output its content filter blocked with `finish_reason: "content_filter"` and a
 * message that has no `content` key at all (`"message": {"role": "assistant"}`, as Azure sends it;
 * e.g. langchain-ai/langchain#3861). OpenAI's ChatCompletionMessage always has `content` (string or
 * null), and clients test `message.content === null`: the client gets OpenAI's shape, content null.
 * Streamed, a delta without content is OpenAI's own shape (its finish chunk's `delta: {}`), and the
 * SDK's final message has content null.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { sseOpenAI, startScriptedVendor } from "../../testing/scripted-vendor.ts";

const identity = { id: "chatcmpl-1", created: 1, model: "gpt-4o" };
const filtered = {
  ...identity,
  object: "chat.completion",
  prompt_filter_results: [{ prompt_index: 0, content_filter_results: { hate: { filtered: false, severity: "safe" } } }],
  choices: [{ index: 0, finish_reason: "content_filter", message: { role: "assistant" }, content_filter_results: { violence: { filtered: true, severity: "high" } } }],
  usage: { prompt_tokens: 302, completion_tokens: 16, total_tokens: 318 },
};
const filteredStream = sseOpenAI(
  { ...identity, object: "chat.completion.chunk", choices: [{ index: 0, delta: { role: "assistant" }, finish_reason: null }] },
  { ...identity, object: "chat.completion.chunk", choices: [{ index: 0, delta: {}, finish_reason: "content_filter", content_filter_results: { violence: { filtered: true, severity: "high" } } }] },
);
let v: Awaited<ReturnType<typeof startScriptedVendor>>;
beforeAll(async () => {
  v = await startScriptedVendor({ "az-filtered": { provider: "azure", json: filtered, sse: filteredStream } });
});
afterAll(() => v.stop());

test("a filtered Azure answer reaches the client with content null, and no key OpenAI would not send", async () => {
  const { answer } = await v.chat("az-filtered");
  expect(answer.choices[0]!.finish_reason).toBe("content_filter");
  expect(answer.choices[0]!.message).toEqual({ role: "assistant", content: null } as never);
});

test("a filtered Azure stream ends in a message with content null", async () => {
  const final = await v.client.chat.completions.stream({ model: "az-filtered", messages: [{ role: "user", content: "hi" }] }).finalChatCompletion();
  expect(final.choices[0]!.finish_reason).toBe("content_filter");
  expect(final.choices[0]!.message.content).toBeNull();
});
