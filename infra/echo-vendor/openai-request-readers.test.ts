/**
 * One refusal type and one integer range check for the echo vendor and the test fakes: every 400 the
 * echo vendor answers is a Refusal (rendered with its own error type), and every integer parameter
 * (n, top_logprobs, dimensions) is refused in the same OpenAI range-check words.
 */
import { expect, test } from "bun:test";
import { readChatRequest } from "./chat-request.ts";
import { readEmbeddingRequest } from "./embedding-request.ts";
import * as readers from "./openai-request-readers.ts";

const { Refusal, readDimensions } = readers;
const messages = [{ role: "user", content: "hi" }];

test("the chat reader's refusals are the shared Refusal, as the embeddings reader's are", () => {
  for (const extra of [{ n: 0 }, { stop: 5 }, { top_logprobs: 2 }, { tool_choice: "required" }]) {
    expect([extra, readChatRequest({ model: "echo-1", messages, ...extra }) instanceof Refusal]).toEqual([extra, true]);
  }
  expect(readEmbeddingRequest({ input: "hi", dimensions: 0 }) instanceof Refusal).toBe(true);
});

test("dimensions is range-checked by the same integer reader as n and top_logprobs", () => {
  const { integerRefusal } = readers;
  for (const value of [0, 4000, 1.5, "8"]) expect(readDimensions(value, 3072, 8)).toEqual(integerRefusal("dimensions", value, 1, 3072)!);
  expect(integerRefusal("n", 129, 1, 128)).toEqual(new Refusal("Invalid 'n': integer above maximum value. Expected a value <= 128, but got 129 instead.", "n", "integer_above_max_value"));
  expect(readDimensions(8, null, 8)).toEqual(new Refusal("This model does not support specifying dimensions.", "dimensions", null));
  expect(readDimensions(null, 3072, 8)).toBe(8);
  // A model taking none refuses the field sent as null too (openai-python's dimensions=None).
  expect(readDimensions(null, null, 8)).toEqual(new Refusal("This model does not support specifying dimensions.", "dimensions", null));
  expect(readDimensions(undefined, null, 8)).toBe(8);
});
