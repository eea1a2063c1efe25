/**
 * An OpenAI-compatible vendor that reports usage on its finish chunk (with choices) and sends no
 * usage chunk: a client that asked for include_usage gets OpenAI's documented shape, the finish chunk
 * with `usage: null` and the usage on a last `choices: []` chunk (it got the usage on the finish chunk,
 * where clients reading it from the choice-less chunk see none, review ru).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { sseOpenAI, startScriptedVendor } from "../../testing/scripted-vendor.ts";

const USAGE = { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 };
let v: Awaited<ReturnType<typeof startScriptedVendor>>;
beforeAll(async () => {
  const base = { id: "x", object: "chat.completion.chunk", created: 1_700_000_000, model: "m-1" };
  const hello = { ...base, choices: [{ index: 0, delta: { role: "assistant", content: "Hello" }, finish_reason: null }], usage: null };
  const finish = { ...base, choices: [{ index: 0, delta: {}, finish_reason: "stop" }], usage: USAGE };
  v = await startScriptedVendor({
    onfinish: { provider: "openai", sse: sseOpenAI(hello, finish) },
    // Usage on the finish chunk and in a usage chunk after it: sent once, from the usage chunk.
    both: { provider: "openai", sse: sseOpenAI(hello, finish, { ...base, choices: [], usage: { ...USAGE, total_tokens: 4 } }) },
  });
});
afterAll(() => v.stop());

for (const model of ["onfinish", "both"]) {
  test(`${model}: include_usage gets the usage only on a last choices: [] chunk with the stream's identity`, async () => {
    const { chunks, error, event } = await v.stream(model);
    expect(error).toBeNull();
    const last = chunks.at(-1)!;
    expect(last).toMatchObject({ choices: [], created: 1_700_000_000, model: "m-1", id: chunks[0]!.id });
    expect(last.usage).toMatchObject(USAGE);
    for (const c of chunks.slice(0, -1)) expect(c.usage).toBeNull();
    expect(chunks.filter((c) => c.choices.length === 0)).toHaveLength(1);
    expect(event.usage).toMatchObject({ inputTokens: 3, outputTokens: 1 });
  });
}

test("without include_usage no usage reaches the client", async () => {
  const res = await v.client.chat.completions.create({ model: "onfinish", stream: true, messages: [{ role: "user", content: "hi" }] });
  const chunks = [];
  for await (const c of res) chunks.push(c);
  expect(chunks.every((c) => c.choices.length > 0 && c.usage === undefined)).toBe(true);
});
