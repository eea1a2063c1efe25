/**
 * An OpenAI-compatible server (Mistral's API, older vLLM and Ollama) that leaves `type` off a tool
 * call. Unstreamed, check-tool-calls.ts sets type "function"; streamed, the translator sets it on the
 * call's first delta with a function, so the SDK's ChatCompletionStream (stream(),
 * runTools({ stream: true })) builds the call instead of failing with "missing
 * choices[0].tool_calls[0].type" at the end of the stream. Azure's translator is OpenAI's.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type OpenAI from "openai";
import { sseOpenAI, startScriptedVendor } from "../../testing/scripted-vendor.ts";

const base = { id: "cmpl-1", object: "chat.completion.chunk", created: 1, model: "mistral-large" };
const chunk = (delta: unknown, finish_reason: string | null = null) => ({ ...base, choices: [{ index: 0, delta, finish_reason }] });
// The call's name and id first, its arguments in two later deltas, none of them typed.
const typeless = sseOpenAI(
  chunk({ role: "assistant", content: "" }),
  chunk({ tool_calls: [{ index: 0, id: "call_a", function: { name: "get_weather", arguments: "" } }] }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
  chunk({ tool_calls: [{ index: 0, function: { arguments: '"Oslo"}' } }] }),
  chunk({}, "tool_calls"),
  { ...base, choices: [], usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 } },
);
const typelessJson = {
  ...base,
  object: "chat.completion",
  choices: [{ index: 0, message: { role: "assistant", content: null, tool_calls: [{ id: "call_a", function: { name: "get_weather", arguments: '{"city":"Oslo"}' } }] }, finish_reason: "tool_calls" }],
  usage: { prompt_tokens: 5, completion_tokens: 2, total_tokens: 7 },
};
const parameters = { type: "object", properties: { city: { type: "string" } } };
const tools: OpenAI.ChatCompletionTool[] = [{ type: "function", function: { name: "get_weather", parameters } }];
const messages: OpenAI.ChatCompletionMessageParam[] = [{ role: "user", content: "weather in Oslo?" }];

let v: Awaited<ReturnType<typeof startScriptedVendor>>;
beforeAll(async () => {
  v = await startScriptedVendor({
    "mistral-large": { provider: "openai", sse: typeless, json: typelessJson },
    "azure-typeless": { provider: "azure", sse: typeless, json: typelessJson },
  });
});
afterAll(() => v.stop());

for (const model of ["mistral-large", "azure-typeless"]) {
  test(`${model}: unstreamed and streamed, the SDK gets the call typed function`, async () => {
    const plain = await v.client.chat.completions.create({ model, messages, tools });
    expect(plain.choices[0]!.message.tool_calls![0]!.type).toBe("function");

    const final = await v.client.chat.completions.stream({ model, messages, tools }).finalChatCompletion();
    const call = final.choices[0]!.message.tool_calls![0]! as OpenAI.ChatCompletionMessageFunctionToolCall;
    expect(call).toMatchObject({ id: "call_a", type: "function", function: { name: "get_weather", arguments: '{"city":"Oslo"}' } });
  });
}

test("the type is set on the call's first delta only, as OpenAI sends it", async () => {
  const { chunks, error } = await v.stream("mistral-large");
  expect(error).toBeNull();
  const calls = chunks.flatMap((c) => c.choices.flatMap((choice) => choice.delta.tool_calls ?? []));
  expect(calls.map((call) => call.type)).toEqual(["function", undefined, undefined]);
});

test("runTools({ stream: true }) runs the typeless call", async () => {
  const ran: unknown[] = [];
  const runner = v.client.chat.completions.runTools(
    {
      model: "mistral-large",
      messages,
      stream: true,
      tools: [{ type: "function", function: { name: "get_weather", description: "", parameters, function: (args: unknown) => (ran.push(args), "sunny"), parse: JSON.parse } }],
    },
    { maxChatCompletions: 1 }, // the scripted vendor asks for the tool again and again
  );
  await runner.done();
  expect(ran).toEqual([{ city: "Oslo" }]);
});
