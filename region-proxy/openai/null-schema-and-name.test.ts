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
import { fakeDeployment, useVendorProxy } from "../providers/testing/use-vendor-proxy.ts";
import { parseChatRequest } from "./parse-request.ts";

const t = useVendorProxy({
  fakes: ["anthropic", "gemini"],
  configure(s) {
    s.deployments.dep_claude = fakeDeployment("dep_claude", "anthropic", t.anthropic.url, "claude-sonnet-4-5");
    s.deployments.dep_gemini = fakeDeployment("dep_gemini", "gemini", t.gemini.url, "gemini-2.5-flash");
    s.aliases.claude = { name: "claude", chain: ["dep_claude"] };
    s.aliases.gemini = { name: "gemini", chain: ["dep_gemini"] };
  },
});

const messages = [{ role: "user", content: "hello" }];
const nullParameters = { tools: [{ type: "function", function: { name: "get_time", description: "The time now.", parameters: null } }] };
const ok = (fields: Record<string, unknown>) => parseChatRequest({ model: "m", messages, ...fields });

const post = (body: Record<string, unknown>) =>
  fetch(`${t.proxy.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${t.fx.keys.main}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });

describe("a tool's parameters: null is a tool without parameters", () => {
  test("Anthropic gets the tool with an empty object schema", async () => {
    const res = await post({ model: "claude", messages, ...nullParameters });
    expect(res.status).toBe(200);
    const sent = t.anthropic.lastRequest()!.body as { tools: unknown[] };
    expect(sent.tools).toEqual([{ name: "get_time", description: "The time now.", input_schema: { type: "object", properties: {} } }]);
  });

  test("Gemini gets a declaration without parameters", async () => {
    const res = await post({ model: "gemini", messages, ...nullParameters });
    expect(res.status).toBe(200);
    const sent = t.gemini.lastRequest()!.body as { tools: { functionDeclarations: unknown[] }[] };
    expect(sent.tools[0]?.functionDeclarations).toEqual([{ name: "get_time", description: "The time now." }]);
  });
});

test("json_schema.schema: null is a json_schema without a schema: Gemini's JSON mode, as when it is left out", async () => {
  const generationConfig = async (jsonSchema: Record<string, unknown>) => {
    const res = await post({ model: "gemini", messages, response_format: { type: "json_schema", json_schema: { name: "answer", ...jsonSchema } } });
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
