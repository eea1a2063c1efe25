/**
 * An OpenAI-compatible vendor whose stream never sets delta.role (llama.cpp / lemonade send
 * `role: null`, one-api leaves it out): each choice's first forwarded delta gets role "assistant", as
 * OpenAI sends it. Without it the SDK's stream helper threw "missing role for choice 0" on a whole,
 * charged answer (review ru).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { sseOpenAI, startScriptedVendor } from "../../testing/scripted-vendor.ts";

let v: Awaited<ReturnType<typeof startScriptedVendor>>;
beforeAll(async () => {
  const base = { id: "x", object: "chat.completion.chunk", created: 1_700_000_000, model: "qwen3-4b" };
  const usage = { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 };
  v = await startScriptedVendor({
    norole: {
      provider: "openai",
      sse: sseOpenAI(
        { ...base, choices: [{ index: 0, delta: { content: "Hello", role: null }, finish_reason: null }] },
        { ...base, choices: [{ index: 0, delta: { content: " there" }, finish_reason: null }] },
        { ...base, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] },
        { ...base, choices: [], usage },
      ),
    },
    // Two choices (n=2), neither naming its role, the second starting later.
    twochoices: {
      provider: "openai",
      sse: sseOpenAI(
        { ...base, choices: [{ index: 0, delta: { content: "A" }, finish_reason: null }] },
        { ...base, choices: [{ index: 1, delta: { content: "B" }, finish_reason: null }, { index: 0, delta: { content: "a" }, finish_reason: null }] },
        { ...base, choices: [{ index: 1, delta: { content: "b" }, finish_reason: "stop" }, { index: 0, delta: {}, finish_reason: "stop" }] },
        { ...base, choices: [], usage },
      ),
    },
  });
});
afterAll(() => v.stop());

test("the first chunk of the choice carries delta.role assistant, the later ones none", async () => {
  const { chunks, error } = await v.stream("norole");
  expect(error).toBeNull();
  const deltas = chunks.flatMap((c) => c.choices.map((ch) => ch.delta));
  expect(deltas.map((d) => d.role ?? null)).toEqual(["assistant", null, null]);
});

test("the official SDK's stream helper assembles the answer", async () => {
  const final = await v.client.chat.completions.stream({ model: "norole", messages: [{ role: "user", content: "hi" }] }).finalChatCompletion();
  expect(final.choices[0]!.message).toMatchObject({ role: "assistant", content: "Hello there" });
});

test("every choice gets its role on its own first delta", async () => {
  const { chunks } = await v.stream("twochoices", { n: 2 });
  const roles = chunks.flatMap((c) => c.choices.map((ch) => `${ch.index}:${ch.delta.role ?? "-"}`));
  expect(roles).toEqual(["0:assistant", "1:assistant", "0:-", "1:-", "0:-"]);
  const final = await v.client.chat.completions.stream({ model: "twochoices", n: 2, messages: [{ role: "user", content: "hi" }] }).finalChatCompletion();
  expect(final.choices.map((c) => [c.message.role, c.message.content])).toEqual([["assistant", "Aa"], ["assistant", "Bb"]]);
});
