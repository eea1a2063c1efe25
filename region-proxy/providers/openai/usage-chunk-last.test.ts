/**
 * OpenAI sends the usage chunk of a stream that asked for it (stream_options.include_usage) "before
 * the data: [DONE] message": the last chunk, `choices: []`, the only one whose usage is not null
 * (platform.openai.com/docs/api-reference/chat/create, stream_options). Clients read it there: the
 * openai-agents SDKs kept the last chunk's usage and lost an earlier one (openai/openai-agents-python#2126,
 * after xAI's stream through LiteLLM ended with an empty chunk after its usage, BerriAI/litellm#17136).
 * A compatible vendor that sends its usage chunk before the finish chunk, or anything after it, still
 * has its usage reach the client last.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { sseOpenAI, startScriptedVendor } from "../../testing/scripted-vendor.ts";

const USAGE = { prompt_tokens: 30, completion_tokens: 10, total_tokens: 40 };
let v: Awaited<ReturnType<typeof startScriptedVendor>>;
beforeAll(async () => {
  const base = { id: "x", object: "chat.completion.chunk", created: 1_700_000_000, model: "m-1" };
  const hello = { ...base, choices: [{ index: 0, delta: { role: "assistant", content: "Hello" }, finish_reason: null }], usage: null };
  const finish = { ...base, choices: [{ index: 0, delta: {}, finish_reason: "stop" }], usage: null };
  const usage = { ...base, choices: [], usage: USAGE };
  v = await startScriptedVendor({
    early: { provider: "openai", sse: sseOpenAI(hello, usage, finish) },
    trailing: { provider: "openai", sse: sseOpenAI(hello, finish, usage, { ...base, choices: [], usage: null }) },
    first: { provider: "openai", sse: sseOpenAI(usage, hello, finish) },
  });
});
afterAll(() => v.stop());

for (const model of ["early", "trailing", "first"]) {
  test(`${model}: the usage chunk is the last chunk and the only one with usage`, async () => {
    const { chunks, error, content, finish, event } = await v.stream(model);
    expect(error).toBeNull();
    expect(content).toBe("Hello");
    expect(finish).toEqual(["stop"]);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject(USAGE);
    expect(last.id).toBe(chunks[0]!.id);
    for (const chunk of chunks.slice(0, -1)) expect(chunk.usage).toBeNull();
    expect(event.usage).toMatchObject({ inputTokens: 30, outputTokens: 10 });
  });
}
