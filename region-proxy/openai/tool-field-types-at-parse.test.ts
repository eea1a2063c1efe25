/**
 * A function tool's `description` and `strict`, and a json_schema response format's `description` and
 * `strict`, have OpenAI's types (openai-python FunctionDefinition and ResponseFormatJSONSchema:
 * description a string, strict a boolean or null), and OpenAI refuses a request where they have
 * another. The translating adapters read them by type (`typeof description === "string"`,
 * `strict === true`), so a wrong type reached Anthropic or Gemini as no description, or as not strict:
 * an answer that ignored what the client asked for. They are refused while the request is parsed,
 * naming the field, before any vendor call; null is no value.
 */
import { describe, expect, test } from "bun:test";
import { useClaudeAndGeminiBehindProxy } from "../providers/testing/claude-and-gemini-behind-proxy.ts";
import { parseChatRequest } from "./parse-request.ts";

const t = useClaudeAndGeminiBehindProxy({ claude: "claude-sonnet-4-5", gemini: "gemini-2.5-flash" }, { claude: ["dep_claude"], gemini: ["dep_gemini"], claude_then_openai: ["dep_claude", "dep_echo1"] });

const messages = [{ role: "user", content: "hello" }];
const params = { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false };
const tool = (fields: Record<string, unknown>) => ({ tools: [{ type: "function", function: { name: "get_weather", parameters: params, ...fields } }] });
const format = (fields: Record<string, unknown>) => ({ response_format: { type: "json_schema", json_schema: { name: "answer", schema: params, ...fields } } });

const CASES: [string, Record<string, unknown>, string, string][] = [
  ["a tool's description 5", tool({ description: 5 }), "tools[0].function.description", "expected a string"],
  ["a tool's description {}", tool({ description: { text: "Weather" } }), "tools[0].function.description", "expected a string"],
  ["a tool's strict 'true'", tool({ strict: "true" }), "tools[0].function.strict", "expected a boolean"],
  ["a tool's strict 1", tool({ strict: 1 }), "tools[0].function.strict", "expected a boolean"],
  ["json_schema's description 5", format({ description: 5 }), "response_format.json_schema.description", "expected a string"],
  ["json_schema's strict 'true'", format({ strict: "true" }), "response_format.json_schema.strict", "expected a boolean"],
];

describe.each(["claude", "gemini", "claude_then_openai"])("%s", (model) => {
  for (const [what, fields, param, expected] of CASES) {
    test(`${what}: the gateway's 400 naming ${param}, no vendor called`, async () => {
      const before = [t.fx.vendor.calls(), t.anthropic.calls(), t.gemini.calls()];
      const res = await t.post({ model, messages, ...fields });
      const error = ((await res.json()) as { error?: { type?: string; param?: string; message?: string } }).error;
      expect({ status: res.status, type: error?.type, param: error?.param, message: error?.message }).toEqual({
        status: 400,
        type: "invalid_request_error",
        param,
        message: `Invalid '${param}': ${expected}.`,
      });
      expect([t.fx.vendor.calls(), t.anthropic.calls(), t.gemini.calls()]).toEqual(before);
    });
  }
});

test("null is no value; strings and booleans still parse", () => {
  const ok = (fields: Record<string, unknown>) => parseChatRequest({ model: "m", messages, ...fields }).ok;
  expect(ok(tool({ description: null, strict: null }))).toBe(true);
  expect(ok(tool({ description: "Weather for a city.", strict: true }))).toBe(true);
  expect(ok(tool({ strict: false }))).toBe(true);
  expect(ok(format({ description: null, strict: null }))).toBe(true);
  expect(ok(format({ description: "The answer.", strict: true }))).toBe(true);
});
