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
import { USAGE, base, finish as finishWithout, hello as helloWithout, streamedHelloWithUsageLast } from "../testing/openai-usage-chunk.ts";

let v: Awaited<ReturnType<typeof startScriptedVendor>>;
beforeAll(async () => {
  const hello = { ...helloWithout, usage: null };
  const finish = { ...finishWithout, usage: null };
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
    const { chunks, event } = await streamedHelloWithUsageLast(v, model);
    expect(chunks.at(-1)!.id).toBe(chunks[0]!.id);
    for (const chunk of chunks.slice(0, -1)) expect(chunk.usage).toBeNull();
    expect(event.usage).toMatchObject({ inputTokens: 30, outputTokens: 10 });
  });
}
