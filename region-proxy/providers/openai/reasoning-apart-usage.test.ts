/**
 * OpenAI's completion_tokens includes the reasoning tokens (completion_tokens_details.reasoning_tokens
 * is a part of it). Some OpenAI-compatible servers count reasoning apart, as Gemini does
 * (thoughtsTokenCount beside candidatesTokenCount): completion_tokens the visible answer only, and
 * total_tokens = prompt + completion + reasoning (CLIProxyAPI#5733: completion 0, reasoning 60, total
 * 81 over a prompt of 21; any-llm#1290: 20 + 198 + 405 = 623). Read the OpenAI way, the reasoning was
 * cut to the completion's size and the thinking went unbilled. A usage whose reasoning cannot be a
 * part of its completion (more reasoning than completion), or whose total is prompt + completion +
 * reasoning and not prompt + completion, is billed completion + reasoning as output, and the client
 * sees it counted the OpenAI way. An OpenAI usage is read as before.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { SCRIPTED_PRICE as P, sseOpenAI, startScriptedVendor } from "../../testing/scripted-vendor.ts";

const id = { id: "chatcmpl-1", created: 1, model: "m" };
const finish = { ...id, object: "chat.completion.chunk", choices: [{ index: 0, delta: { role: "assistant", content: "hello" }, finish_reason: "stop" }] };
const script = (prompt: number, completion: number, reasoning: number, total: number) => {
  const usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: total, completion_tokens_details: { reasoning_tokens: reasoning } };
  return {
    provider: "openai" as const,
    json: { ...id, object: "chat.completion", choices: [{ index: 0, message: { role: "assistant", content: "hello" }, finish_reason: "stop" }], usage },
    sse: sseOpenAI(finish, { ...id, object: "chat.completion.chunk", choices: [], usage }),
  };
};
// [prompt, vendor completion, reasoning, total] → billed output (reasoning included)
const CASES: Record<string, { vendor: [number, number, number, number]; output: number }> = {
  "thoughts-only": { vendor: [21, 0, 60, 81], output: 60 },
  "more-reasoning": { vendor: [20, 198, 405, 623], output: 603 },
  "total-says-apart": { vendor: [20, 500, 100, 620], output: 600 },
  "openai-way": { vendor: [10, 12, 10, 22], output: 12 },
};
let v: Awaited<ReturnType<typeof startScriptedVendor>>;
beforeAll(async () => {
  v = await startScriptedVendor(Object.fromEntries(Object.entries(CASES).map(([model, c]) => [model, script(...c.vendor)])));
});
afterAll(() => v.stop());

for (const [model, { vendor, output }] of Object.entries(CASES)) {
  const [prompt, , reasoning, total] = vendor;
  const cost = (prompt * P.input + (output - reasoning) * P.output + reasoning * P.reasoning) / 1e6;
  const shown = { prompt_tokens: prompt, completion_tokens: output, total_tokens: total, completion_tokens_details: { reasoning_tokens: reasoning } };

  test(`${model}: unstreamed, reasoning billed as a part of the output, and shown so`, async () => {
    const { answer, event } = await v.chat(model);
    expect(event.usage).toMatchObject({ inputTokens: prompt, outputTokens: output, reasoningTokens: reasoning });
    expect(event.costMicros).toBe(cost);
    expect(answer.usage).toMatchObject(shown);
  });

  test(`${model}: streamed the same`, async () => {
    const { usage, event } = await v.stream(model);
    expect(event.usage).toMatchObject({ inputTokens: prompt, outputTokens: output, reasoningTokens: reasoning });
    expect(event.costMicros).toBe(cost);
    expect(usage).toMatchObject(shown);
  });
}
