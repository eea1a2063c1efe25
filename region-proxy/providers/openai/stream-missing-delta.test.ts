/**
 * A streamed choice always has a `delta` object in OpenAI's ChatCompletionChunk (its finish chunk's is
 * `{}`), and clients read it unguarded: openai-python's stream helper calls `choice.delta.to_dict()` and
 * reads `choice.delta.content` (lib/streaming/chat/_completions.py), and OpenAI's own example prints
 * `chunk.choices[0].delta.content`. An OpenAI-compatible vendor that sends a later chunk with
 * `delta: null`, or a finish chunk without a delta, must not crash that client: the choice gets
 * `delta: {}`, as OpenAI sends it.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { sseOpenAI, startScriptedVendor } from "../../testing/scripted-vendor.ts";

let v: Awaited<ReturnType<typeof startScriptedVendor>>;
beforeAll(async () => {
  const base = { id: "x", object: "chat.completion.chunk", created: 1_700_000_000, model: "local-model" };
  v = await startScriptedVendor({
    nodelta: {
      provider: "openai",
      sse: sseOpenAI(
        { ...base, choices: [{ index: 0, delta: { role: "assistant", content: "Hello" }, finish_reason: null }] },
        { ...base, choices: [{ index: 0, delta: null, finish_reason: null }] },
        { ...base, choices: [{ index: 0, delta: { content: " there" }, finish_reason: null }] },
        { ...base, choices: [{ index: 0, finish_reason: "stop" }] },
        { ...base, choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } },
      ),
    },
  });
});
afterAll(() => v.stop());

test("every forwarded choice has a delta object, so `chunk.choices[0].delta.content` reads", async () => {
  const { chunks, error, content, finish } = await v.stream("nodelta");
  expect(error).toBeNull();
  const withChoice = chunks.filter((c) => c.choices.length > 0);
  expect(withChoice.map((c) => c.choices[0]!.delta)).toEqual([{ role: "assistant", content: "Hello" }, {}, { content: " there" }, {}]);
  expect(content).toBe("Hello there");
  expect(finish).toEqual(["stop"]);
});

test("the SDK's stream helper assembles the answer", async () => {
  const final = await v.client.chat.completions.stream({ model: "nodelta", messages: [{ role: "user", content: "hi" }] }).finalChatCompletion();
  expect(final.choices[0]!.message).toMatchObject({ role: "assistant", content: "Hello there" });
  expect(final.choices[0]!.finish_reason).toBe("stop");
});
