/**
 * `n` on Gemini: GenerationConfig's candidateCount ("Number of generated responses to return",
 * https://ai.google.dev/api/generate-content#generationconfig), each candidate answered as its own
 * choice, streamed and not; through a real proxy to the fake Gemini, read through the official SDK.
 * A model that refuses several candidates (Gemini 3: "Multiple candidates is not enabled for this
 * model") is a 400 naming n.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type OpenAI from "openai";
import { startFakeGemini } from "../../../test/fakes/gemini.ts";
import type { FakeVendor } from "../../../test/fakes/fake-server.ts";
import { sendChat, startVendorBehindProxy } from "../../testing/vendor-behind-proxy.ts";

let fake: FakeVendor;
let client: OpenAI;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ fake, client, stop } = await startVendorBehindProxy({ provider: "gemini", start: startFakeGemini }, { gemini: "gemini-2.5-flash", gemini3: "gemini-3-fake" }));
});
afterAll(() => stop());

const messages = [{ role: "user" as const, content: "hello there friend" }];
const tools = [{ type: "function" as const, function: { name: "lookup", parameters: { type: "object", properties: { echo: { type: "string" } } } } }];
const sentConfig = () => (fake.lastRequest()!.body as { generationConfig?: Record<string, unknown> }).generationConfig;

describe("gemini: n as candidateCount", () => {
  test("n: 2 unstreamed sends candidateCount 2 and answers two choices, indexes 0 and 1, each its own", async () => {
    const completion = await client.chat.completions.create({ model: "gemini", messages, n: 2 });
    expect(sentConfig()).toEqual({ candidateCount: 2 });
    expect(completion.choices.map((c) => [c.index, c.message.content, c.finish_reason])).toEqual([
      [0, "Echo: hello there friend", "stop"],
      [1, "Echo take 2: hello there friend", "stop"],
    ]);
    // usageMetadata already counts every candidate: 4 + 6 pieces.
    expect(completion.usage?.completion_tokens).toBe(10);
  });

  test("n: 2 streamed accumulates into two choices, each with its own content and finish_reason", async () => {
    // 4 tokens: the first candidate's whole answer, the second's cut short.
    const final = await client.chat.completions.stream({ model: "gemini", messages, n: 2, max_completion_tokens: 4, stream_options: { include_usage: true } }).finalChatCompletion();
    expect(fake.lastRequest()!.path).toContain(":streamGenerateContent");
    expect(sentConfig()).toEqual({ candidateCount: 2, maxOutputTokens: 4 });
    expect(final.choices.map((c) => [c.index, c.message.role, c.message.content, c.finish_reason])).toEqual([
      [0, "assistant", "Echo: hello there friend", "stop"],
      [1, "assistant", "Echo take 2: hello", "length"],
    ]);
    expect(final.usage?.completion_tokens).toBe(8);
  });

  test("streamed tool calls: each choice its own calls, each list from tool-call index 0", async () => {
    const final = await client.chat.completions.stream({ model: "gemini", messages: [{ role: "user", content: "please call tool" }], tools, n: 3 }).finalChatCompletion();
    expect(final.choices).toHaveLength(3);
    for (const [i, choice] of final.choices.entries()) {
      expect(choice.index).toBe(i);
      expect(choice.finish_reason).toBe("tool_calls");
      expect(choice.message.tool_calls?.map((call) => call.type === "function" && call.function)).toEqual([{ name: "lookup", arguments: '{"echo":"please call tool"}' }]);
    }
    expect(new Set(final.choices.map((c) => c.message.tool_calls![0]!.id)).size).toBe(3);
  });

  test("n: 1, or no n, sends no candidateCount", async () => {
    for (const n of [1, undefined]) {
      const { refused, sent } = await sendChat({ client, fake }, { model: "gemini", messages, ...(n === undefined ? {} : { n }) });
      expect(refused).toBe(false);
      expect(sent.generationConfig).toBeUndefined();
    }
  });

  test("a model that answers one candidate only (Gemini 3) is a 400 naming n, before any call", async () => {
    expect(await sendChat({ client, fake }, { model: "gemini3", messages, n: 2 })).toMatchObject({ refused: true, param: "n" });
  });
});
