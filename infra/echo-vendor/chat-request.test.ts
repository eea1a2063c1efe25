/** The echo vendor reads a Chat Completions body whole before it answers (chat-request.ts). */
import { expect, test } from "bun:test";
import { readChatRequest } from "./chat-request.ts";
import { Refusal } from "./openai-request-readers.ts";

const messages = [{ role: "user", content: "hi" }];
const tools = [{ type: "function", function: { name: "f", parameters: { type: "object" } } }];

test("a valid body is read into its fields, defaults for those not given", () => {
  expect(readChatRequest({ messages })).toEqual({ messages, n: 1, stops: [], logprobs: null, tools: [], choice: "auto", format: {}, maxTokens: undefined, stream: false, includeUsage: false });
  const format = { type: "json_object" };
  expect(readChatRequest({ messages, n: 2, stop: "x", logprobs: true, top_logprobs: 3, tools, tool_choice: "required", response_format: format, max_tokens: 9, stream: true, stream_options: { include_usage: true } })).toEqual({
    messages,
    n: 2,
    stops: ["x"],
    logprobs: { top: 3 },
    tools: [{ name: "f", parameters: { type: "object" }, at: 0 }],
    choice: "required",
    format,
    maxTokens: 9,
    stream: true,
    includeUsage: true,
  });
});

test("each wrong field is a Refusal naming it", () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ messages: [] }, "messages"],
    [{ messages: [null] }, "messages[0]"],
    [{ messages, n: 0 }, "n"],
    [{ messages, stop: 5 }, "stop"],
    [{ messages, top_logprobs: 2 }, "top_logprobs"],
    [{ messages, tools, tool_choice: { type: "function", function: { name: "g" } } }, "tool_choice"],
    [{ messages, stream: "yes" }, "stream"],
    [{ messages, max_completion_tokens: 0 }, "max_completion_tokens"],
  ];
  for (const [body, param] of cases) {
    const read = readChatRequest(body);
    expect([param, read instanceof Refusal ? read.param : read]).toEqual([param, param]);
  }
});
