/**
 * null is no value for a function tool's `parameters`, a json_schema response format's `schema` and a
 * message's `name`, as for the parser's other optional fields. go-openai sends `"parameters": null` for a
 * tool without parameters (FunctionDefinition: `Parameters any json:"parameters"`, no omitempty) and
 * `"schema": null` for a json_schema without one (ChatCompletionResponseFormatJSONSchema: `Schema
 * json.Marshaler json:"schema"`); the adapters already read null as none (tool-parameters.ts: a tool
 * without parameters; Gemini's JSON mode without a schema, Anthropic's `{type: "object"}`; a message's
 * name is ignored). Another type is still the parser's 400.
 */
import { describe, expect, test } from "bun:test";
import { useClaudeAndGeminiBehindProxy } from "../providers/testing/claude-and-gemini-behind-proxy.ts";
import { parseChatRequest } from "./parse-request.ts";

const t = useClaudeAndGeminiBehindProxy({ claude: "claude-sonnet-4-5", gemini: "gemini-2.5-flash" }, { claude: ["dep_claude"], gemini: ["dep_gemini"] });

const messages = [{ role: "user", content: "hello" }];
const nullParameters = { tools: [{ type: "function", function: { name: "get_time", description: "The time now.", parameters: null } }] };
const ok = (fields: Record<string, unknown>) => parseChatRequest({ model: "m", messages, ...fields });

describe("a tool's parameters: null is a tool without parameters", () => {
  test("Anthropic gets the tool with an empty object schema", async () => {
    const res = await t.post({ model: "claude", messages, ...nullParameters });
    expect(res.status).toBe(200);
    const sent = t.anthropic.lastRequest()!.body as { tools: unknown[] };
    expect(sent.tools).toEqual([{ name: "get_time", description: "The time now.", input_schema: { type: "object", properties: {} } }]);
  });

  test("Gemini gets a declaration without parameters", async () => {
    const res = await t.post({ model: "gemini", messages, ...nullParameters });
    expect(res.status).toBe(200);
    const sent = t.gemini.lastRequest()!.body as { tools: { functionDeclarations: unknown[] }[] };
    expect(sent.tools[0]?.functionDeclarations).toEqual([{ name: "get_time", description: "The time now." }]);
  });
});

test("json_schema.schema: null is a json_schema without a schema: Gemini's JSON mode, as when it is left out", async () => {
  const generationConfig = async (jsonSchema: Record<string, unknown>) => {
    const res = await t.post({ model: "gemini", messages, response_format: { type: "json_schema", json_schema: { name: "answer", ...jsonSchema } } });
    expect(res.status).toBe(200);
    return (t.gemini.lastRequest()!.body as { generationConfig?: Record<string, unknown> }).generationConfig;
  };
  const absent = await generationConfig({});
  expect(absent).toMatchObject({ responseMimeType: "application/json" });
  expect(absent?.responseSchema).toBeUndefined();
  expect(await generationConfig({ schema: null })).toEqual(absent);
});

test("a message's name: null parses", () => {
  expect(ok({ messages: [{ role: "user", content: "hi", name: null }] }).ok).toBe(true);
});

test("another type than an object (or a string for name) is still refused, naming it", () => {
  expect(ok({ tools: [{ type: "function", function: { name: "f", parameters: "none" } }] })).toMatchObject({ ok: false, error: { param: "tools[0].function.parameters" } });
  expect(ok({ response_format: { type: "json_schema", json_schema: { name: "a", schema: [] } } })).toMatchObject({ ok: false, error: { param: "response_format.json_schema.schema" } });
  expect(ok({ messages: [{ role: "user", content: "hi", name: 5 }] })).toMatchObject({ ok: false, error: { param: "messages[0].name" } });
});
