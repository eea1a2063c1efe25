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
  const sse = sseOpenAI(
    { ...base, choices: [{ index: 0, delta: { role: "assistant", content: "Hello" }, finish_reason: null }] },
    { ...base, choices: [{ index: 0, delta: null, finish_reason: null }] },
    { ...base, choices: [{ index: 0, delta: { content: " there" }, finish_reason: null }] },
    { ...base, choices: [{ index: 0, finish_reason: "stop" }] },
    { ...base, choices: [], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } },
  );
  v = await startScriptedVendor({ nodelta: { provider: "openai", sse }, "az-nodelta": { provider: "azure", sse } });
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

// A plain loop as OpenAI's example and openai-node's README write it: the delta read unguarded. (The
// SDK's stream helper would not do: it copes with a null delta.)
for (const model of ["nodelta", "az-nodelta"]) {
  test(`${model}: a loop reading \`chunk.choices[0].delta.content\` unguarded gets the answer`, async () => {
    const stream = await v.client.chat.completions.create({ model, messages: [{ role: "user", content: "hi" }], stream: true });
    let content = "";
    const finish: string[] = [];
    for await (const c of stream) {
      if (c.choices.length === 0) continue;
      content += c.choices[0]!.delta.content ?? "";
      if (c.choices[0]!.finish_reason) finish.push(c.choices[0]!.finish_reason);
    }
    expect(content).toBe("Hello there");
    expect(finish).toEqual(["stop"]);
  });
}
