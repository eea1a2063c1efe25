import { expect, test } from "bun:test";
import { parseChatRequest } from "./parse-request.ts";

const base = { model: "chat", messages: [{ role: "user", content: "hi" }] };

test("valid request: typed fields read, unknown ones kept in raw", () => {
  const parsed = parseChatRequest({ ...base, stream: true, stream_options: { include_usage: true }, max_tokens: 5, temperature: 0, seed: 9 });
  expect(parsed.ok).toBe(true);
  if (!parsed.ok) return;
  expect(parsed.value).toMatchObject({ model: "chat", stream: true, includeUsage: true, max_tokens: 5, temperature: 0 });
  expect(parsed.value.raw.seed).toBe(9);
});

test("include_usage only counts on streams; assistant tool-call messages may have null content", () => {
  const parsed = parseChatRequest({ ...base, stream_options: { include_usage: true }, messages: [...base.messages, { role: "assistant", content: null, tool_calls: [] }] });
  expect(parsed).toMatchObject({ ok: true, value: { includeUsage: false } });
});

test("out-of-range values are rejected, never clamped", () => {
  for (const [field, value] of [["temperature", 2.01], ["top_p", 1.5], ["max_completion_tokens", -1], ["n", 0], ["presence_penalty", 3], ["stop", [1]]] as const) {
    const parsed = parseChatRequest({ ...base, [field]: value });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatchObject({ kind: "invalid_value", param: field });
  }
});

test("counts are bounded: n by OpenAI's 128, token counts by 2^31 - 1 (so the limits arithmetic stays exact)", () => {
  for (const [field, value] of [["n", 129], ["max_tokens", 2 ** 31], ["max_completion_tokens", Number.MAX_SAFE_INTEGER]] as const) {
    expect(parseChatRequest({ ...base, [field]: value })).toMatchObject({ ok: false, error: { kind: "invalid_value", param: field } });
  }
  expect(parseChatRequest({ ...base, n: 128, max_tokens: 2 ** 31 - 1 }).ok).toBe(true);
});

test("a non-object body is invalid_json", () => {
  for (const body of [null, [], "x", 1]) expect(parseChatRequest(body)).toMatchObject({ ok: false, error: { kind: "invalid_json" } });
});

test("tool calls: arguments that are not JSON are refused with the exact path", () => {
  const call = (args: unknown) => ({ id: "call_1", type: "function", function: { name: "f", arguments: args } });
  const messages = (args: unknown) => [base.messages[0], { role: "assistant", content: null, tool_calls: [call('{"ok":1}'), call(args)] }, { role: "tool", tool_call_id: "call_1", content: "x" }];
  expect(parseChatRequest({ ...base, messages: messages('{"a":2}') }).ok).toBe(true);
  expect(parseChatRequest({ ...base, messages: messages("{not json") })).toMatchObject({ ok: false, error: { kind: "invalid_value", param: "messages[1].tool_calls[1].function.arguments" } });
  expect(parseChatRequest({ ...base, messages: messages(42) })).toMatchObject({ ok: false, error: { param: "messages[1].tool_calls[1].function.arguments" } });
  // "" is a call without arguments, as models send it for a function with no parameters.
  expect(parseChatRequest({ ...base, messages: messages("") })).toMatchObject({ ok: true });
});

test("wrong types name the field", () => {
  const cases: [string, Record<string, unknown>][] = [
    ["messages", { ...base, messages: [] }],
    ["messages[0].content[0].text", { ...base, messages: [{ role: "user", content: [{ type: "text", text: 5 }] }] }],
    ["messages[0].content[0].image_url.url", { ...base, messages: [{ role: "user", content: [{ type: "image_url", image_url: {} }] }] }],
    ["messages[0].name", { ...base, messages: [{ role: "user", content: "x", name: 3 }] }],
    ["messages[0].tool_calls", { ...base, messages: [{ role: "user", content: "x", tool_calls: [] }] }],
    ["messages[1].tool_call_id", { ...base, messages: [base.messages[0], { role: "tool", content: "x" }] }],
    ["messages[1].tool_calls[0].id", { ...base, messages: [base.messages[0], { role: "assistant", content: null, tool_calls: [{ function: { name: "f", arguments: "{}" } }] }] }],
    ["tools", { ...base, tools: {} }],
    ["tools[0].function.name", { ...base, tools: [{ type: "function", function: { name: "has spaces" } }] }],
    ["tools[0].function.parameters", { ...base, tools: [{ type: "function", function: { name: "f", parameters: "x" } }] }],
    ["tool_choice", { ...base, tool_choice: "sometimes" }],
    ["response_format.type", { ...base, response_format: { type: "yaml" } }],
    ["response_format.json_schema.name", { ...base, response_format: { type: "json_schema", json_schema: { schema: {} } } }],
    ["parallel_tool_calls", { ...base, parallel_tool_calls: "yes" }],
    ["seed", { ...base, seed: 1.5 }],
    ["user", { ...base, user: 7 }],
  ];
  for (const [param, body] of cases) expect([param, parseChatRequest(body)]).toMatchObject([param, { ok: false, error: { kind: "invalid_value", param } }]);
});

test("unknown fields and other tool types pass through untouched", () => {
  const parsed = parseChatRequest({ ...base, tools: [{ type: "web_search_preview" }], tool_choice: { type: "web_search_preview" }, prediction: { type: "content", content: "x" }, x_vendor: 1 });
  expect(parsed.ok).toBe(true);
  if (parsed.ok) expect(parsed.value.raw).toMatchObject({ prediction: { type: "content", content: "x" }, x_vendor: 1 });
});

test("a tool_choice that forces a call needs a tool to call: none given, or none by that name, is a 400 naming the field", () => {
  const tool = (name: string) => ({ type: "function", function: { name } });
  const refused: [string, Record<string, unknown>][] = [
    ["tool_choice", { ...base, tool_choice: "required" }],
    ["tool_choice", { ...base, tools: [], tool_choice: "required" }],
    ["tool_choice", { ...base, tools: null, tool_choice: { type: "function", function: { name: "f" } } }],
    ["tool_choice.function.name", { ...base, tools: [tool("g")], tool_choice: { type: "function", function: { name: "f" } } }],
  ];
  for (const [param, body] of refused) expect([param, parseChatRequest(body)]).toMatchObject([param, { ok: false, error: { kind: "invalid_value", param } }]);
  // Nothing to force: "auto" and "none" without tools mean what no tool_choice means.
  for (const choice of ["auto", "none", null]) expect(parseChatRequest({ ...base, tool_choice: choice }).ok).toBe(true);
  expect(parseChatRequest({ ...base, tools: [tool("g"), tool("f")], tool_choice: { type: "function", function: { name: "f" } } }).ok).toBe(true);
  expect(parseChatRequest({ ...base, tools: [tool("g")], tool_choice: "required" }).ok).toBe(true);
});
