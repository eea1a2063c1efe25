/**
 * An OpenAI-compatible vendor that repeats on every delta what OpenAI sends once: `role` (Ollama,
 * older LiteLLM: https://github.com/BerriAI/litellm/pull/9986) and a tool call's id and name
 * (MiniMax via NVIDIA NIM: https://github.com/NousResearch/hermes-agent/issues/8259). The openai-python
 * SDK's stream helper (ChatCompletionStreamState, lib/streaming/_deltas.py accumulate_delta)
 * concatenates every string field but index and type, so the client's answer had role
 * "assistantassistant", id "call_1call_1" and name "get_weatherget_weather" (a legacy function_call's
 * name too: llama-cpp-python). Each goes out on the choice's (the call's) first delta only, as OpenAI sends them.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { sseOpenAI, startScriptedVendor } from "../../testing/scripted-vendor.ts";

/** openai-python's accumulate_delta: strings and numbers add up, objects merge, lists merge by index; index and type are replaced. */
function accumulate(acc: Record<string, unknown>, delta: Record<string, unknown>): Record<string, unknown> {
  for (const [key, value] of Object.entries(delta)) {
    const had = acc[key];
    if (!(key in acc) || had == null || key === "index" || key === "type") acc[key] = value;
    else if (typeof had === "string" && typeof value === "string") acc[key] = had + value;
    else if (Array.isArray(had) && Array.isArray(value)) {
      for (const entry of value as Record<string, unknown>[]) {
        const i = entry.index as number;
        had[i] = had[i] === undefined ? entry : accumulate(had[i] as Record<string, unknown>, entry);
      }
    } else if (typeof had === "object" && typeof value === "object" && value !== null) accumulate(had as Record<string, unknown>, value as Record<string, unknown>);
  }
  return acc;
}

let v: Awaited<ReturnType<typeof startScriptedVendor>>;
beforeAll(async () => {
  const base = { id: "x", object: "chat.completion.chunk", created: 1_700_000_000, model: "m" };
  const usage = { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 };
  const call = (args: string) => ({ index: 0, id: "call_1", type: "function", function: { name: "get_weather", arguments: args } });
  v = await startScriptedVendor({
    ollama: {
      provider: "openai",
      sse: sseOpenAI(
        { ...base, choices: [{ index: 0, delta: { role: "assistant", content: "Hel" }, finish_reason: null }] },
        { ...base, choices: [{ index: 0, delta: { role: "assistant", content: "lo" }, finish_reason: null }] },
        { ...base, choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: "stop" }] },
        { ...base, choices: [], usage },
      ),
    },
    // llama-cpp-python's legacy function_call, named on every delta.
    legacy: {
      provider: "openai",
      sse: sseOpenAI(
        { ...base, choices: [{ index: 0, delta: { role: "assistant", content: null, function_call: { name: "get_weather", arguments: "" } }, finish_reason: null }] },
        { ...base, choices: [{ index: 0, delta: { role: null, content: null, function_call: { name: "get_weather", arguments: "{}" } }, finish_reason: null }] },
        { ...base, choices: [{ index: 0, delta: {}, finish_reason: "function_call" }] },
        { ...base, choices: [], usage },
      ),
    },
    nim: {
      provider: "openai",
      sse: sseOpenAI(
        { ...base, choices: [{ index: 0, delta: { role: "assistant", tool_calls: [call("")] }, finish_reason: null }] },
        { ...base, choices: [{ index: 0, delta: { role: "assistant", tool_calls: [call('{"city":')] }, finish_reason: null }] },
        { ...base, choices: [{ index: 0, delta: { role: "assistant", tool_calls: [call('"Paris"}')] }, finish_reason: null }] },
        { ...base, choices: [{ index: 0, delta: {}, finish_reason: "tool_calls" }] },
        { ...base, choices: [], usage },
      ),
    },
    // A name sent in pieces that happen to be equal ("a" then "a": the name "aa"), the id sent once.
    pieces: {
      provider: "openai",
      sse: sseOpenAI(
        { ...base, choices: [{ index: 0, delta: { role: "assistant", tool_calls: [{ index: 0, id: "c1", type: "function", function: { name: "a" } }] }, finish_reason: null }] },
        { ...base, choices: [{ index: 0, delta: { tool_calls: [{ index: 0, function: { name: "a", arguments: "{}" } }] }, finish_reason: null }] },
        { ...base, choices: [{ index: 0, delta: {}, finish_reason: "tool_calls" }] },
        { ...base, choices: [], usage },
      ),
    },
  });
});
afterAll(() => v.stop());

/** The message openai-python's stream helper builds from the chunks the client got. */
async function pythonMessage(model: string) {
  const { chunks, error } = await v.stream(model);
  expect(error).toBeNull();
  let message: Record<string, unknown> | null = null;
  for (const chunk of chunks) for (const choice of chunk.choices) message = message === null ? (structuredClone(choice.delta) as Record<string, unknown>) : accumulate(message, structuredClone(choice.delta) as Record<string, unknown>);
  return message;
}

test("a role repeated on every delta goes out once: the Python SDK's message has role assistant", async () => {
  expect(await pythonMessage("ollama")).toMatchObject({ role: "assistant", content: "Hello" });
});

test("a tool call's id and name repeated on every delta go out once, its arguments whole", async () => {
  const message = await pythonMessage("nim");
  expect(message).toMatchObject({ role: "assistant", tool_calls: [{ index: 0, id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] });
});

test("a name sent in equal pieces without its id again goes on whole: \"a\" then \"a\" is the Python SDK's \"aa\"", async () => {
  const message = await pythonMessage("pieces");
  expect(message).toMatchObject({ tool_calls: [{ index: 0, id: "c1", type: "function", function: { name: "aa", arguments: "{}" } }] });
});

test("the Node SDK's stream helper builds the same answer", async () => {
  const final = await v.client.chat.completions.stream({ model: "nim", messages: [{ role: "user", content: "hi" }] }).finalChatCompletion();
  expect(final.choices[0]!.message.tool_calls).toEqual([{ id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }]);
});

test("a legacy function_call's name repeated on every delta goes out once", async () => {
  expect(await pythonMessage("legacy")).toMatchObject({ role: "assistant", function_call: { name: "get_weather", arguments: "{}" } });
});
