/**
 * What the tests of where an OpenAI-format stream's usage chunk ends up share (usage-chunk-last.test.ts,
 * usage-chunk-without-choices.test.ts): the vendor's chunks of a "Hello" answer and its usage, and the
 * check that the client got that answer with OpenAI's usage chunk (`choices: []`, USAGE) last.
 *
 * @example v = await startScriptedVendor({ early: { provider: "openai", sse: sseOpenAI(hello, { ...base, choices: [], usage: USAGE }, finish) } });
 *          const { chunks, event } = await streamedHelloWithUsageLast(v, "early");
 */
import { expect } from "bun:test";
import type { startScriptedVendor } from "../../testing/scripted-vendor.ts";

export const USAGE = { prompt_tokens: 30, completion_tokens: 10, total_tokens: 40 };
/** The fields every chunk of the vendor's stream has. */
export const base = { id: "x", object: "chat.completion.chunk", created: 1_700_000_000, model: "m-1" };
export const hello = { ...base, choices: [{ index: 0, delta: { role: "assistant", content: "Hello" }, finish_reason: null }] };
export const finish = { ...base, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] };

/** `model` streamed (usage asked): "Hello", stop, no error, and the last chunk OpenAI's usage chunk with USAGE. The stream, for the test's own checks. */
export async function streamedHelloWithUsageLast(v: Awaited<ReturnType<typeof startScriptedVendor>>, model: string) {
  const streamed = await v.stream(model);
  expect(streamed.error).toBeNull();
  expect(streamed.content).toBe("Hello");
  expect(streamed.finish).toEqual(["stop"]);
  const last = streamed.chunks.at(-1)!;
  expect(last.choices).toEqual([]);
  expect(last.usage).toMatchObject(USAGE);
  return streamed;
}
