/**
 * Parallel tool calls that share one tool_calls index in an OpenAI-format stream, told apart by their
 * ids only (Ollama, LiteLLM's ollama_chat): the SDK builds calls by index, so forwarded as sent it
 * merged them into one call named after the last, its arguments glued ('{"city":"Oslo"}{"tz":"CET"}').
 * The translator gives each new id its own index, in order of arrival; the id-less deltas that follow
 * go to the call their index last started. Whether the second call comes in the stream's first chunk
 * (before its first byte reaches the client) or after, the client gets two calls it can parse.
 * A new id starts a call only with a name: vendors that send a different id on each delta of one call
 * (Poolside, vLLM's gpt-oss path, mlx-openai-server) stream one call, which the client gets whole,
 * under the id its first delta carried (the only delta that carries one).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type OpenAI from "openai";
import { sseOpenAI, startScriptedVendor } from "../../testing/scripted-vendor.ts";

const base = { id: "cmpl-1", object: "chat.completion.chunk", created: 1, model: "m" };
const chunk = (delta: unknown, finish_reason: string | null = null) => ({ ...base, choices: [{ index: 0, delta, finish_reason }] });
const call = (id: string, name: string, args: string) => ({ index: 0, id, type: "function", function: { name, arguments: args } });
const more = (index: number, args: string) => ({ index, function: { arguments: args } });
const end = chunk({}, "tool_calls");

const SCRIPTS: Record<string, string> = {
  // The role chunk goes out first: the second call comes after the first byte.
  "after-first-byte": sseOpenAI(
    chunk({ role: "assistant", content: "" }),
    chunk({ tool_calls: [call("call_a", "get_weather", '{"city":')] }),
    chunk({ tool_calls: [more(0, '"Oslo"}')] }),
    chunk({ tool_calls: [call("call_b", "get_time", '{"tz":')] }),
    chunk({ tool_calls: [more(0, '"CET"}')] }),
    end,
  ),
  // Both calls in the stream's first chunk.
  "first-chunk": sseOpenAI(chunk({ role: "assistant", tool_calls: [call("call_a", "get_weather", '{"city":"Oslo"}'), call("call_b", "get_time", '{"tz":"CET"}')] }), end),
};
// One call, a different id on each delta.
const UNSTABLE_IDS = sseOpenAI(
  chunk({ role: "assistant", content: "" }),
  chunk({ tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: "get_weather", arguments: "" } }] }),
  chunk({ tool_calls: [{ index: 0, id: "call_2", function: { arguments: '{"city":' } }] }),
  chunk({ tool_calls: [{ index: 0, id: "call_3", function: { arguments: '"Oslo"}' } }] }),
  end,
);
const WANTED = [
  { id: "call_a", type: "function", function: { name: "get_weather", arguments: '{"city":"Oslo"}' } },
  { id: "call_b", type: "function", function: { name: "get_time", arguments: '{"tz":"CET"}' } },
];
const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "weather and time in Oslo?" }];

let v: Awaited<ReturnType<typeof startScriptedVendor>>;
beforeAll(async () => {
  const scripts = { ...SCRIPTS, "unstable-ids": UNSTABLE_IDS };
  v = await startScriptedVendor(Object.fromEntries(Object.entries(scripts).map(([model, sse]) => [model, { provider: "openai" as const, sse }])));
});
afterAll(() => v.stop());

for (const model of Object.keys(SCRIPTS)) {
  test(`${model}: two calls under one index reach the SDK as two calls, each with its own arguments`, async () => {
    const final = await v.client.chat.completions.stream({ model, messages }).finalChatCompletion();
    expect(final.choices[0]!.message.tool_calls).toMatchObject(WANTED);

    const { chunks, error, event } = await v.stream(model);
    expect(error).toBeNull();
    expect(event).toMatchObject({ status: "ok", fallback: false });
    const indices = chunks.flatMap((c) => c.choices.flatMap((choice) => (choice.delta.tool_calls ?? []).map((d) => d.index)));
    expect(indices).toEqual(model === "first-chunk" ? [0, 1] : [0, 0, 1, 1]);
  });
}

test("one call whose deltas carry changing ids reaches the SDK as one call, under its first id", async () => {
  const final = await v.client.chat.completions.stream({ model: "unstable-ids", messages }).finalChatCompletion();
  expect(final.choices[0]!.message.tool_calls).toEqual([{ id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Oslo"}' } }]);

  const { chunks, error } = await v.stream("unstable-ids");
  expect(error).toBeNull();
  const sent = chunks.flatMap((c) => c.choices.flatMap((choice) => (choice.delta.tool_calls ?? []).map((d) => [d.index, d.id])));
  // The first delta carries the id; the later ones none (openai-python's stream helper would concatenate a repeated one).
  expect(sent).toEqual([[0, "call_1"], [0, undefined], [0, undefined]]);
});
