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
  expect(parsed.ok && parsed.value.includeUsage).toBe(false);
});

test("out-of-range values are rejected, never clamped", () => {
  for (const [field, value] of [["temperature", 2.01], ["top_p", 1.5], ["max_completion_tokens", -1], ["n", 0], ["presence_penalty", 3], ["stop", [1]]] as const) {
    const parsed = parseChatRequest({ ...base, [field]: value });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.error).toMatchObject({ kind: "invalid_value", param: field });
  }
});

test("a non-object body is invalid_json", () => {
  for (const body of [null, [], "x", 1]) expect(parseChatRequest(body)).toMatchObject({ ok: false, error: { kind: "invalid_json" } });
});
