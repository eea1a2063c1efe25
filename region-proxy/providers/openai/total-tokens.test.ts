/**
 * An OpenAI-compatible server may leave `total_tokens` out of its usage, or send it as null; the usage
 * is still billed (prompt_tokens and completion_tokens are there), so the client sees it, with
 * total_tokens as OpenAI's API and SDKs type it: a number, prompt + completion. A total the vendor
 * sent is shown as sent. OpenAI and Azure, unstreamed, on the usage chunk and on the finish chunk.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { sseOpenAI, startScriptedVendor } from "../../testing/scripted-vendor.ts";

const id = { id: "chatcmpl-1", created: 1, model: "m" };
const finish = { ...id, object: "chat.completion.chunk", choices: [{ index: 0, delta: { role: "assistant", content: "hello" }, finish_reason: "stop" }] };
const script = (usage: unknown, onFinishChunk = false) => ({
  json: { ...id, object: "chat.completion", choices: [{ index: 0, message: { role: "assistant", content: "hello" }, finish_reason: "stop" }], usage },
  sse: onFinishChunk ? sseOpenAI({ ...finish, usage }) : sseOpenAI(finish, { ...id, object: "chat.completion.chunk", choices: [], usage }),
});
const USAGES = {
  null: { prompt_tokens: 10, completion_tokens: 5, total_tokens: null },
  missing: { prompt_tokens: 10, completion_tokens: 5 },
};
let v: Awaited<ReturnType<typeof startScriptedVendor>>;
beforeAll(async () => {
  v = await startScriptedVendor({
    "o-null": { provider: "openai", ...script(USAGES.null) },
    "o-missing": { provider: "openai", ...script(USAGES.missing) },
    "o-missing-finish": { provider: "openai", ...script(USAGES.missing, true) },
    "az-null": { provider: "azure", ...script(USAGES.null) },
    "o-sent": { provider: "openai", ...script({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 16 }) },
  });
});
afterAll(() => v.stop());

for (const model of ["o-null", "o-missing", "o-missing-finish", "az-null"]) {
  test(`${model}: unstreamed usage shows total_tokens = prompt + completion`, async () => {
    const { answer, event } = await v.chat(model);
    expect(answer.usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 });
    expect(event.usage).toMatchObject({ inputTokens: 10, outputTokens: 5 });
  });

  test(`${model}: streamed usage shows total_tokens = prompt + completion`, async () => {
    const { usage, event } = await v.stream(model);
    expect(usage).toMatchObject({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 });
    expect(event.usage).toMatchObject({ inputTokens: 10, outputTokens: 5 });
  });
}

test("a total the vendor sent is shown as sent", async () => {
  expect((await v.chat("o-sent")).answer.usage?.total_tokens).toBe(16);
  expect((await v.stream("o-sent")).usage?.total_tokens).toBe(16);
});
