/**
 * When the vendor reports no usage, the output is charged from the characters it answered: one token
 * per 4 of content, refusal, and tool names and arguments. A GPT-5 custom tool's call carries its text
 * in `custom.input` instead of `function.arguments`; the same 2,100 characters must cost the same
 * either way, streamed and cut before the usage chunk (vendor-stream.ts) or unstreamed without usage
 * (usage-counts.ts).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startScriptedVendor } from "../testing/scripted-vendor.ts";

const base = { id: "chatcmpl-1", created: 1741569952, model: "gpt-5-2025-08-07", system_fingerprint: null };
const chunk = (delta: unknown) => ({ ...base, object: "chat.completion.chunk", choices: [{ index: 0, delta, logprobs: null, finish_reason: null }], usage: null });
const piece = "x = compute(1)\n".repeat(20); // 300 characters
const input = piece.repeat(7); // 2,100
/** OpenAI's stream of these chunks, cut: no finish, no usage chunk, no [DONE]. */
const cut = (...chunks: unknown[]) => chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`).join("");
const streamOf = (first: unknown, next: (text: string) => unknown) => cut(chunk({ role: "assistant", content: null, tool_calls: [first] }), ...Array.from({ length: 7 }, () => chunk({ tool_calls: [next(piece)] })));
const answerWith = (call: unknown) => ({
  ...base,
  object: "chat.completion",
  choices: [{ index: 0, message: { role: "assistant", content: null, refusal: null, tool_calls: [call] }, logprobs: null, finish_reason: "tool_calls" }],
});

let v: Awaited<ReturnType<typeof startScriptedVendor>>;
beforeAll(async () => {
  v = await startScriptedVendor({
    "cut-function": {
      provider: "openai",
      sse: streamOf({ index: 0, id: "call_1", type: "function", function: { name: "code_exec", arguments: "" } }, (text) => ({ index: 0, function: { arguments: text } })),
    },
    "cut-custom": {
      provider: "openai",
      sse: streamOf({ index: 0, id: "call_1", type: "custom", custom: { name: "code_exec", input: "" } }, (text) => ({ index: 0, custom: { input: text } })),
    },
    "plain-function": { provider: "openai", json: answerWith({ id: "call_1", type: "function", function: { name: "code_exec", arguments: input } }) },
    "plain-custom": { provider: "openai", json: answerWith({ id: "call_1", type: "custom", custom: { name: "code_exec", input } }) },
  });
});
afterAll(() => v.stop());

test("a stream of custom tool input cut before its usage is charged the output it streamed, as function arguments are", async () => {
  const fn = await v.stream("cut-function");
  const custom = await v.stream("cut-custom");
  expect(fn.error).not.toBeNull();
  expect(custom.error).not.toBeNull();
  // The client saw every character of the input before the cut.
  const streamed = custom.chunks.flatMap((c) => c.choices.flatMap((choice) => (choice.delta.tool_calls ?? []) as { custom?: { input?: string } }[]));
  expect(streamed.map((call) => call.custom?.input ?? "").join("")).toBe(input);
  // (2,100 + "code_exec") / 4, rounded up.
  expect(fn.event.usage.outputTokens).toBe(Math.ceil((input.length + 9) / 4));
  expect(custom.event.usage.outputTokens).toBe(fn.event.usage.outputTokens);
});

test("an unstreamed custom tool call without usage is charged its input, as function arguments are", async () => {
  const fn = await v.chat("plain-function");
  const custom = await v.chat("plain-custom");
  expect((custom.answer.choices[0]!.message.tool_calls![0] as { custom: { input: string } }).custom.input).toBe(input);
  expect(fn.event.usage.outputTokens).toBe(Math.ceil((input.length + 9) / 4));
  expect(custom.event.usage.outputTokens).toBe(fn.event.usage.outputTokens);
  // And the client is shown what it is charged.
  expect(custom.answer.usage!.completion_tokens).toBe(custom.event.usage.outputTokens);
});
