import { describe, expect, test } from "bun:test";
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import type { ChatMessage, ChatRequest } from "../providers/types.ts";
import { parseChatRequest } from "../openai/parse-request.ts";
import { countInSlices, countOpenAITextTokens, encodingFor, estimatePromptTokens, MAX_RUN_CHARS } from "./estimate-prompt-tokens.ts";

const request = (messages: ChatMessage[], extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model: "alias",
  messages,
  stream: false,
  includeUsage: false,
  raw: {},
  ...extra,
});

// The example conversation of OpenAI's cookbook "How to count tokens with tiktoken", whose prompt_tokens
// the API reported as 129 for gpt-3.5-turbo / gpt-4 (cl100k_base) and 124 for gpt-4o / gpt-4o-mini (o200k_base).
const cookbook: ChatMessage[] = [
  { role: "system", content: "You are a helpful, pattern-following assistant that translates corporate jargon into plain English." },
  { role: "system", name: "example_user", content: "New synergies will help drive top-line growth." },
  { role: "system", name: "example_assistant", content: "Things working well together will increase revenue." },
  { role: "system", name: "example_user", content: "Let's circle back when we have more bandwidth to touch base on opportunities for increased leverage." },
  { role: "system", name: "example_assistant", content: "Let's talk later when we're less busy about how to do better." },
  { role: "user", content: "This late pivot means we don't have time to boil the ocean for the client deliverable." },
];

describe("estimatePromptTokens", () => {
  test("matches the API's prompt_tokens for the cookbook conversation", () => {
    expect(estimatePromptTokens(request(cookbook), "gpt-4-0613")).toBe(129);
    expect(estimatePromptTokens(request(cookbook), "gpt-3.5-turbo")).toBe(129);
    expect(estimatePromptTokens(request(cookbook), "gpt-4o")).toBe(124);
    expect(estimatePromptTokens(request(cookbook), "gpt-4o-mini-2024-07-18")).toBe(124);
  });

  test("matches a real gpt-4 response: 'Say this is a test!' cost 13 prompt tokens", () => {
    expect(estimatePromptTokens(request([{ role: "user", content: "Say this is a test!" }]), "gpt-4")).toBe(13);
  });

  test("counts text parts, and an image whose size is unknown at the model's worst case", () => {
    const plain = estimatePromptTokens(request([{ role: "user", content: "Say this is a test!" }]), "gpt-4o");
    const parts = estimatePromptTokens(
      request([{ role: "user", content: [{ type: "text", text: "Say this is a test!" }, { type: "image_url", image_url: { url: "data:," } }] }]),
      "gpt-4o",
    );
    // gpt-4o's largest image after OpenAI's scaling is 768x2048: 85 + 8 tiles x 170.
    expect(parts).toBe(plain + 1445);
  });

  test("tool definitions add to the prompt", () => {
    const messages: ChatMessage[] = [{ role: "user", content: "weather?" }];
    const tools = [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }];
    expect(estimatePromptTokens(request(messages, { tools }), "gpt-4o")).toBeGreaterThan(estimatePromptTokens(request(messages), "gpt-4o") + 10);
  });

  test("a response_format JSON schema adds to the prompt, as the vendor renders it there", () => {
    const messages: ChatMessage[] = [{ role: "user", content: "hi" }];
    const properties = Object.fromEntries(
      Array.from({ length: 200 }, (_, i) => [`field_${i}`, { type: "string", description: `Field number ${i}: what the model must put in this field, and why.` }]),
    );
    const schema = { type: "object", properties, required: Object.keys(properties), additionalProperties: false };
    const response_format = { type: "json_schema", json_schema: { name: "big", strict: true, schema } };
    const schemaChars = JSON.stringify(response_format.json_schema).length;
    for (const model of ["gpt-4o", "gpt-4", "claude-sonnet-4-5", "gemini-2.5-flash"]) {
      const without = estimatePromptTokens(request(messages), model);
      const withSchema = estimatePromptTokens(request(messages, { response_format }), model);
      expect(withSchema - without).toBeGreaterThan(schemaChars / 8);
      // A bigger schema, a bigger estimate; json_object and text carry no schema.
      const bigger = { ...response_format, json_schema: { ...response_format.json_schema, schema: { ...schema, description: "x ".repeat(500) } } };
      expect(estimatePromptTokens(request(messages, { response_format: bigger }), model)).toBeGreaterThan(withSchema);
      expect(estimatePromptTokens(request(messages, { response_format: { type: "json_object" } }), model)).toBe(without);
      expect(estimatePromptTokens(request(messages, { response_format: { type: "text" } }), model)).toBe(without);
    }
  });

  test("a custom tool call's name and input count as a function call's name and arguments do", () => {
    const input = 'import math\nprint(math.sqrt(2) * 40)\n'.repeat(50);
    const withCall = (call: NonNullable<ChatMessage["tool_calls"]>[number]): ChatMessage[] => [
      { role: "user", content: "run it" },
      { role: "assistant", content: null, tool_calls: [call] },
    ];
    for (const model of ["gpt-5", "claude-sonnet-4-5"]) {
      const asFunction = estimatePromptTokens(request(withCall({ id: "c1", type: "function", function: { name: "code_exec", arguments: input } })), model);
      const asCustom = estimatePromptTokens(request(withCall({ id: "c1", type: "custom", custom: { name: "code_exec", input } })), model);
      expect(asFunction).toBeGreaterThan(400);
      expect(asCustom).toBe(asFunction);
    }
  });

  // OpenAI's deprecated function calling, still taken and forwarded to OpenAI-format vendors
  // (../openai/legacy-function-messages.test.ts): the top-level `functions` are rendered into the prompt
  // as tools' definitions are, and an assistant's `function_call` is a call the model wrote, as a tool
  // call's name and arguments are; both are billed as prompt tokens.
  test("legacy functions and an assistant's function_call count as the same tools and tool_calls do", () => {
    const definition = { name: "get_weather", description: "The weather of a city today.", parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] } };
    const args = JSON.stringify({ city: "Paris", days: 3, units: "metric", detail: "hourly forecast with wind and rain" });
    const estimate = (body: Record<string, unknown>, model: string) => {
      const parsed = parseChatRequest({ model: "alias", ...body });
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
      return estimatePromptTokens(parsed.value, model);
    };
    const ask = { role: "user", content: "weather in Paris?" };
    const after = { role: "user", content: "and tomorrow?" };
    for (const model of ["gpt-4o", "gpt-4", "claude-sonnet-4-5"]) {
      const bare = estimate({ messages: [ask] }, model);
      const asTools = estimate({ messages: [ask], tools: [{ type: "function", function: definition }] }, model) - bare;
      const asFunctions = estimate({ messages: [ask], functions: [definition] }, model) - bare;
      expect(asTools).toBeGreaterThan(10);
      // The same definition without the {type, function} wrapper: a few tokens fewer, never nothing.
      expect(asFunctions).toBeGreaterThan(asTools - 12);
      expect(asFunctions).toBeLessThanOrEqual(asTools);

      const noCall = estimate({ messages: [ask, { role: "assistant", content: null }, after] }, model);
      const toolCall = estimate({ messages: [ask, { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "get_weather", arguments: args } }] }, after] }, model);
      const functionCall = estimate({ messages: [ask, { role: "assistant", function_call: { name: "get_weather", arguments: args } }, after] }, model);
      expect(toolCall - noCall).toBeGreaterThan(10);
      expect(functionCall).toBe(toolCall);
    }
  });

  // llama-cpp-python's OpenAI-compatible server answers a call in both fields at once
  // (llama_chat_format.py _convert_completion_to_chat_function), so a caller that replays the answer
  // (`messages.push(choice.message)`) sends one call under both names: it is counted once, as the
  // output side charges it (../providers/usage-counts.ts callChars).
  test("a call sent as both tool_calls and function_call (a replayed llama-cpp-python answer) counts once", () => {
    const call = { name: "get_weather", arguments: JSON.stringify({ location: "Paris, France", unit: "celsius", detail: "x".repeat(400) }) };
    const estimate = (assistant: Record<string, unknown>, model: string) => {
      const parsed = parseChatRequest({ model: "alias", messages: [{ role: "user", content: "weather?" }, { role: "assistant", content: null, ...assistant }] });
      if (!parsed.ok) throw new Error(JSON.stringify(parsed.error));
      return estimatePromptTokens(parsed.value, model);
    };
    const toolCalls = [{ id: "call_1", type: "function", function: call }];
    for (const model of ["gpt-4o", "gpt-4", "claude-sonnet-4-5"]) {
      const asTool = estimate({ tool_calls: toolCalls }, model);
      expect(estimate({ function_call: call }, model)).toBe(asTool);
      expect(estimate({ function_call: call, tool_calls: toolCalls }, model)).toBe(asTool);
      // Two different calls, one in each field (no vendor does): the larger is counted.
      const small = { name: "f", arguments: "{}" };
      expect(estimate({ function_call: small, tool_calls: toolCalls }, model)).toBe(asTool);
      expect(estimate({ function_call: call, tool_calls: [{ id: "c", type: "function", function: small }] }, model)).toBe(asTool);
    }
  });

  test("other families: ceil(chars / 4) plus 4 per message plus 3", () => {
    const text = "x".repeat(400);
    // role "user" (4 chars) + 400 chars → ceil(404 / 4) = 101; + 4 framing + 3 reply priming.
    expect(estimatePromptTokens(request([{ role: "user", content: text }]), "claude-sonnet-4-5")).toBe(108);
    expect(estimatePromptTokens(request([{ role: "user", content: text }, { role: "assistant", content: text }]), "gemini-2.5-flash")).toBe(
      101 + Math.ceil(409 / 4) + 8 + 3,
    );
  });

  test("long runs of letters or of blanks reach the BPE in slices (its cost grows with the square of a run)", () => {
    const seen: string[] = [];
    const spy = (text: string) => {
      seen.push(text);
      return text.length;
    };
    const text = `start ${"a".repeat(300)} middle ${"\n".repeat(200)}end`;
    expect(countInSlices(text, spy)).toBe(text.length);
    expect(seen.join("")).toBe(text);
    expect(Math.max(...seen.map((s) => s.length))).toBeLessThanOrEqual(MAX_RUN_CHARS);
    // Ordinary prose is counted in one piece, so the count stays exact.
    seen.length = 0;
    countInSlices("Say this is a test!", spy);
    expect(seen).toEqual(["Say this is a test!"]);
  });

  test("a sliced run costs at most about one extra token per cut", () => {
    const run = "qwertzuiopasdfghjklyxcvbnm".repeat(40); // 1040 letters: 8 cuts
    const exact = countTokens(run) + countTokens("user") + 3 + 3;
    const sliced = estimatePromptTokens(request([{ role: "user", content: run }]), "gpt-4o");
    expect(sliced).toBeGreaterThanOrEqual(exact - 1);
    expect(sliced).toBeLessThanOrEqual(exact + Math.ceil(run.length / MAX_RUN_CHARS));
  });

  test("a special token's spelling in a prompt is counted as the text it is, not refused with a throw", () => {
    const content = "Why does my model print <|endoftext|> or <|endofprompt|> at the end?";
    const asText = countTokens(content, { disallowedSpecial: new Set() });
    expect(estimatePromptTokens(request([{ role: "user", content }]), "gpt-4o")).toBe(asText + countTokens("user") + 3 + 3);
    expect(estimatePromptTokens(request([{ role: "user", content }]), "gpt-4")).toBeGreaterThan(3 + 3);
    expect(countOpenAITextTokens("<|endoftext|>", "text-embedding-3-small")).toBeGreaterThan(1);
  });

  test("model families map to their encodings", () => {
    expect(encodingFor("gpt-4.1-mini")).toBe("o200k_base");
    expect(encodingFor("o3-mini")).toBe("o200k_base");
    expect(encodingFor("gpt-5")).toBe("o200k_base");
    expect(encodingFor("gpt-4-turbo")).toBe("cl100k_base");
    expect(encodingFor("gpt-3.5-turbo-0125")).toBe("cl100k_base");
    expect(encodingFor("claude-3-5-haiku")).toBeNull();
  });
});
