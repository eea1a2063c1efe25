/**
 * Objects in Gemini schemas. Gemini parses the JSON into protobuf, where an empty `properties` map and
 * a missing one are one message, so an object without properties is one case however it is written
 * (no key, `properties: {}`, additionalProperties true, {} or false). Gemini takes it nested in tool
 * parameters (vercel/ai#11319, LiteLLM's test_build_vertex_schema: LangChain's metadata/configurable as
 * `{type: "object"}`) and refuses it in a response schema ("...properties: should be non-empty for
 * OBJECT type", browser-use/browser-use#3786's go_back, googleapis/js-genai#708). So: as tool
 * parameters it is sent as `{type: "object"}`, and at their root a function without parameters; in a
 * response format it is refused nested (a 400 naming where, so a chain skips Gemini), and at the root
 * it is JSON mode without a responseSchema (as the Vercel AI SDK does for an empty root), unless it
 * promises more than JSON mode holds (schema-root-free-form.test.ts). A typed
 * record (additionalProperties a non-empty schema) is refused everywhere. A `required` entry naming no
 * property is refused (Gemini: "required[0]: property is not defined", iBUHub/AIStudioToAPI#154); on an
 * object without properties `required` is dropped with the rest of its shape. A typeless node with
 * properties or required (MCP) is an object.
 */
import { describe, expect, test } from "bun:test";
import type OpenAI from "openai";
import { sendChat } from "../../testing/vendor-behind-proxy.ts";
import { useGeminiBehindProxy } from "../testing/gemini-behind-proxy.ts";
import { UnsupportedParameterError } from "../unsupported-parameter.ts";
import { type SchemaUse, toGeminiSchema } from "./schema.ts";
import { convertTools } from "./tools.ts";

const gemini = useGeminiBehindProxy("gemini-2.5-flash");

const TOOL = "tools[0].function.parameters";
const FORMAT = "response_format.json_schema.schema";
const USES: [string, SchemaUse][] = [
  [TOOL, "parameters"],
  [FORMAT, "responseSchema"],
];
const messages = [{ role: "user", content: "hi" }];
const tool = (parameters: unknown) => ({ tools: [{ type: "function", function: { name: "update_page", parameters } }] });
const format = (schema: unknown) => ({ response_format: { type: "json_schema", json_schema: { name: "out", schema } } });
const within = (node: unknown) => ({ type: "object", properties: { go_back: node } });
const asTool = (schema: unknown) => toGeminiSchema(schema, TOOL, "parameters");

function refusedAt(schema: unknown, param: string, use: SchemaUse): string {
  try {
    toGeminiSchema(schema, param, use);
  } catch (e) {
    expect(e).toBeInstanceOf(UnsupportedParameterError);
    expect((e as UnsupportedParameterError).param).toBe(param);
    return (e as Error).message;
  }
  throw new Error(`not refused: ${JSON.stringify(schema)}`);
}

/** Every way of writing an object without properties that says nothing Gemini could. */
const FREE_FORM = [
  { type: "object" },
  { type: "object", properties: {} },
  { type: "object", additionalProperties: true },
  { type: "object", additionalProperties: {} },
  { type: "object", additionalProperties: false },
  { type: "object", properties: {}, required: [], additionalProperties: false },
];

describe("a typeless node with properties (MCP) is an object", () => {
  const data = { description: "page data", properties: { page_id: { type: "string" } }, required: ["page_id"] };
  const sentData = { type: "object", ...data };

  test("as tool parameters, nested and in items or anyOf, it reaches Gemini as an OBJECT", async () => {
    const parameters = { type: "object", properties: { data, pages: { type: "array", items: data }, either: { anyOf: [data, { type: "string" }] } } };
    const outcome = await sendChat(gemini, { model: "gemini", messages, ...tool(parameters) });
    expect(outcome.refused).toBe(false);
    expect(outcome.sent.tools[0].functionDeclarations[0].parameters.properties).toEqual({ data: sentData, pages: { type: "array", items: sentData }, either: { anyOf: [sentData, { type: "string" }] } });
  });

  test("in a response format, at the root and nested, too", async () => {
    const outcome = await sendChat(gemini, { model: "gemini", messages, ...format({ properties: { data } }) });
    expect(outcome.sent.generationConfig.responseSchema).toEqual({ type: "object", properties: { data: sentData } });
  });

  test("a node with a type, an anyOf, an enum or a $ref to an object keeps what it says", () => {
    for (const [param, use] of USES) {
      expect(toGeminiSchema({ type: "object", properties: { e: { enum: ["a"] }, s: { type: "string" } } }, param, use).properties).toEqual({ e: { enum: ["a"], type: "string" }, s: { type: "string" } });
      const defs = { $defs: { D: data }, type: "object", properties: { d: { $ref: "#/$defs/D", description: "d" } } };
      expect(toGeminiSchema(defs, param, use).properties).toEqual({ d: { ...sentData, description: "d" } });
      expect(toGeminiSchema({ type: "object", properties: { any: {} } }, param, use).properties).toEqual({ any: {} });
    }
  });

  test("an allOf or $ref merged into properties takes them", () => {
    const schema = { $defs: { Base: { type: "object" } }, type: "object", properties: { p: { allOf: [{ $ref: "#/$defs/Base" }], properties: { a: { type: "string" } } } } };
    for (const [param, use] of USES) expect(toGeminiSchema(schema, param, use).properties).toEqual({ p: { type: "object", properties: { a: { type: "string" } } } });
  });
});

/** LangChain's RunnableConfig as a tool argument: free-form dicts beside typed fields (Pydantic's dict[str, Any] is additionalProperties: true). */
const runnable = {
  type: "object",
  properties: {
    query: { type: "string" },
    config: {
      type: "object",
      description: "Configuration for a Runnable.",
      properties: { tags: { type: "array", items: { type: "string" } }, metadata: { type: "object", additionalProperties: true }, configurable: { type: "object" } },
    },
    kwargs: { default: null, type: "object" },
  },
  required: ["query"],
};

describe("tool parameters: an object without properties nested anywhere is sent as {type: 'object'}", () => {
  test("whichever way it is written: no key, an empty map, additionalProperties true, {} or false", () => {
    for (const node of FREE_FORM) expect(asTool(within({ ...node, title: "GoBack" })).properties).toEqual({ go_back: { type: "object", title: "GoBack" } });
    expect(asTool(runnable).properties).toEqual({ ...runnable.properties, config: { ...runnable.properties.config, properties: { ...runnable.properties.config.properties, metadata: { type: "object" } } } });
  });

  test("in items, an anyOf branch, a type list's branch (nullable kept) and behind a $ref", () => {
    expect(asTool({ type: "object", properties: { list: { type: "array", items: { type: "object", properties: {} } } } }).properties).toEqual({ list: { type: "array", items: { type: "object" } } });
    expect(asTool({ type: "object", properties: { a: { anyOf: [{ type: "object", additionalProperties: true }, { type: "string" }] } } }).properties).toEqual({ a: { anyOf: [{ type: "object" }, { type: "string" }] } });
    expect(asTool(within({ type: ["object", "null"], additionalProperties: true }))).toEqual(within({ type: "object", nullable: true }));
    expect(asTool(within({ type: ["object", "string"], properties: {} }))).toEqual(within({ anyOf: [{ type: "object" }, { type: "string" }] }));
    expect(asTool({ $defs: { Empty: { type: "object", properties: {} } }, type: "object", properties: { e: { $ref: "#/$defs/Empty" } } }).properties).toEqual({ e: { type: "object" } });
  });

  test("its required, naming properties it does not have, is dropped with them (it is free-form)", () => {
    expect(asTool(within({ type: "object", required: ["x"] }))).toEqual(within({ type: "object" }));
    expect(asTool(within({ description: "required only", required: ["x"] }))).toEqual(within({ type: "object", description: "required only" }));
  });

  test("a typed record (additionalProperties a non-empty schema) is refused naming where", () => {
    expect(refusedAt(within({ type: "object", additionalProperties: { type: "integer" } }), TOOL, "parameters")).toContain("at #/properties/go_back/additionalProperties:");
  });

  test("through the proxy, Gemini answers it (LangChain's metadata with additionalProperties: true)", async () => {
    const outcome = await sendChat(gemini, { model: "gemini", messages, ...tool(runnable) });
    expect(outcome.refused).toBe(false);
    expect(outcome.sent.tools[0].functionDeclarations[0].parameters.properties.config.properties.metadata).toEqual({ type: "object" });
  });

  test("in a chain reaching Gemini by fallback, Gemini answers it", async () => {
    const before = gemini.fake.calls();
    const body = { model: "down_gemini_echo", messages, ...tool(within({ type: "object", properties: {} })) } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming;
    const { data, response } = await gemini.client.chat.completions.create(body).withResponse();
    expect(response.status).toBe(200);
    expect(gemini.fake.calls()).toBe(before + 1);
    expect(data.model).toContain("gemini");
  });
});

describe("tool parameters' root", () => {
  test("an object without properties (additionalProperties true or {} included) is a function declared without parameters", async () => {
    for (const root of [...FREE_FORM, { type: "object", required: ["x"] }]) {
      const outcome = await sendChat(gemini, { model: "gemini", messages, ...tool(root) });
      expect(outcome.sent.tools[0].functionDeclarations[0]).toEqual({ name: "update_page" });
    }
    expect(() => convertTools([{ type: "function", function: { name: "f", parameters: { type: "object", additionalProperties: true } } }], undefined)).not.toThrow();
  });

  test("a typed record is refused before the call, naming the parameters", async () => {
    expect(await sendChat(gemini, { model: "gemini", messages, ...tool({ type: "object", additionalProperties: { type: "string" } }) })).toMatchObject({ refused: true, param: TOOL });
  });
});

describe("response format: an object without properties", () => {
  test("nested anywhere, however written, is refused naming where", () => {
    for (const node of FREE_FORM) expect(refusedAt(within(node), FORMAT, "responseSchema")).toContain("at #/properties/go_back:");
    expect(refusedAt({ type: "object", properties: { l: { type: "array", items: { type: "object" } } } }, FORMAT, "responseSchema")).toContain("at #/properties/l/items:");
    expect(refusedAt({ type: "object", properties: { a: { anyOf: [{ type: "object" }, { type: "string" }] } } }, FORMAT, "responseSchema")).toContain("at #/properties/a/anyOf/0:");
    expect(refusedAt(within({ type: ["object", "null"] }), FORMAT, "responseSchema")).toContain("at #/properties/go_back:");
    expect(refusedAt(within({ description: "required only", required: ["x"] }), FORMAT, "responseSchema")).toContain("at #/properties/go_back:");
  });

  test("through the proxy (browser-use's go_back), it is a 400 naming the schema, Gemini not called", async () => {
    const schema = { type: "object", properties: { go_back: { type: "object", properties: {} } }, required: ["go_back"] };
    expect(await sendChat(gemini, { model: "gemini", messages, ...format(schema) })).toMatchObject({ refused: true, param: FORMAT });
  });

  test("in a chain reaching Gemini by fallback, Gemini is skipped for the next deployment", async () => {
    const before = gemini.fake.calls();
    const body = { model: "down_gemini_echo", messages, ...format(within({ type: "object" })) } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming;
    const { data, response } = await gemini.client.chat.completions.create(body).withResponse();
    expect(response.status).toBe(200);
    expect(gemini.fake.calls()).toBe(before);
    expect(data.model).not.toContain("gemini");
  });

  test("as the root (no properties, additionalProperties true or {}) is JSON mode without a responseSchema", async () => {
    // additionalProperties false, which JSON mode would not hold, is refused there (schema-root-free-form.test.ts).
    for (const root of FREE_FORM.filter((r) => r.additionalProperties !== false)) {
      const outcome = await sendChat(gemini, { model: "gemini", messages, ...format(root) });
      expect(outcome.refused).toBe(false);
      expect(outcome.sent.generationConfig).toEqual({ responseMimeType: "application/json" });
    }
  });

  test("a typed record at the root is refused", async () => {
    expect(await sendChat(gemini, { model: "gemini", messages, ...format({ type: "object", additionalProperties: { type: "integer" } }) })).toMatchObject({ refused: true, param: FORMAT });
  });
});

describe("required naming a property the object does not have", () => {
  test("is refused naming where, in tool parameters and response formats, root or nested", () => {
    for (const [param, use] of USES) {
      expect(refusedAt({ type: "object", properties: { text: { type: "string" } }, required: ["ref", "text"] }, param, use)).toContain('at #/required: "ref" is required');
      expect(refusedAt(within({ properties: { a: { type: "string" } }, required: ["b"] }), param, use)).toContain('at #/properties/go_back/required: "b"');
    }
  });

  test("through the proxy (AIStudioToAPI#154's browser_type), it is a 400 naming the parameters, Gemini not called", async () => {
    const parameters = { type: "object", properties: { text: { type: "string" } }, required: ["ref", "text"] };
    expect(await sendChat(gemini, { model: "gemini", messages, ...tool(parameters) })).toMatchObject({ refused: true, param: TOOL });
  });

  test("required naming properties a $ref or allOf brought is kept", () => {
    const schema = { $defs: { Base: { type: "object", properties: { a: { type: "string" } } } }, type: "object", properties: { p: { $ref: "#/$defs/Base", required: ["a"] } } };
    for (const [param, use] of USES) expect(toGeminiSchema(schema, param, use).properties).toEqual({ p: { type: "object", properties: { a: { type: "string" } }, required: ["a"] } });
  });
});
