/**
 * Gemini takes `properties` (and `required`) on an OBJECT schema only: "…properties[data].properties:
 * only allowed for OBJECT type" (MCP's typeless nodes, anomalyco/opencode#11889, #13148), so a typeless
 * node with properties or required is sent as an object (toolParameters already said so at the root).
 * An object with no `properties` key, free-form (`{type:"object"}`: LangChain RunnableConfig's metadata
 * and configurable, MCP tools' arguments), is sent as it is, nested or at the root, as LiteLLM
 * (test_build_vertex_schema) and the Vercel AI SDK (vercel/ai#11319) send it. Gemini's "…properties:
 * should be non-empty for OBJECT type" is for an explicit empty map (browser-use/browser-use#3786:
 * Pydantic's empty model, zod's z.object({})), so that map is dropped, with an empty `required`,
 * keeping type object, as LiteLLM does (BerriAI/litellm#18979). At the root of tool parameters such an
 * object still declares a function without parameters, as before.
 */
import { beforeAll, describe, expect, test } from "bun:test";
import type OpenAI from "openai";
import type { FakeVendor } from "../../../test/fakes/fake-server.ts";
import { sendChat } from "../../testing/vendor-behind-proxy.ts";
import { fakeDeployment, useVendorProxy } from "../testing/use-vendor-proxy.ts";
import { UnsupportedParameterError } from "../unsupported-parameter.ts";
import { toGeminiSchema } from "./schema.ts";

const t = useVendorProxy({
  fakes: ["gemini"],
  configure(s) {
    s.deployments.dep_g = fakeDeployment("dep_g", "gemini", t.gemini.url, "gemini-2.5-flash");
    s.aliases.gemini = { name: "gemini", chain: ["dep_g"] };
    s.aliases.down_gemini_echo = { name: "down_gemini_echo", chain: ["dep_error500", "dep_g", "dep_echo1"] };
  },
});
let fake: FakeVendor;
let client: OpenAI;
beforeAll(() => {
  fake = t.gemini;
  client = t.fx.client(t.proxy);
});

const TOOL = "tools[0].function.parameters";
const FORMAT = "response_format.json_schema.schema";
const messages = [{ role: "user", content: "hi" }];
const tool = (parameters: unknown) => ({ tools: [{ type: "function", function: { name: "update_page", parameters } }] });
const format = (schema: unknown) => ({ response_format: { type: "json_schema", json_schema: { name: "out", schema } } });
const within = (node: unknown) => ({ type: "object", properties: { go_back: node } });

function refusedAt(schema: unknown, param = FORMAT): string {
  try {
    toGeminiSchema(schema, param);
  } catch (e) {
    expect(e).toBeInstanceOf(UnsupportedParameterError);
    expect((e as UnsupportedParameterError).param).toBe(param);
    return (e as Error).message;
  }
  throw new Error(`not refused: ${JSON.stringify(schema)}`);
}

describe("a typeless node with properties (MCP) is an object", () => {
  const data = { description: "page data", properties: { page_id: { type: "string" } }, required: ["page_id"] };
  const sentData = { type: "object", ...data };

  test("as tool parameters, nested and in items or anyOf, it reaches Gemini as an OBJECT", async () => {
    const parameters = { type: "object", properties: { data, pages: { type: "array", items: data }, either: { anyOf: [data, { type: "string" }] } } };
    const outcome = await sendChat({ client, fake }, { model: "gemini", messages, ...tool(parameters) });
    expect(outcome.refused).toBe(false);
    expect(outcome.sent.tools[0].functionDeclarations[0].parameters.properties).toEqual({ data: sentData, pages: { type: "array", items: sentData }, either: { anyOf: [sentData, { type: "string" }] } });
  });

  test("in a response format, at the root and nested, too", async () => {
    const outcome = await sendChat({ client, fake }, { model: "gemini", messages, ...format({ properties: { data } }) });
    expect(outcome.sent.generationConfig.responseSchema).toEqual({ type: "object", properties: { data: sentData } });
  });

  test("a node with a type, an anyOf, an enum or a $ref to an object keeps what it says", () => {
    expect(toGeminiSchema({ type: "object", properties: { e: { enum: ["a"] }, s: { type: "string" } } }, FORMAT).properties).toEqual({ e: { enum: ["a"], type: "string" }, s: { type: "string" } });
    const defs = { $defs: { D: data }, type: "object", properties: { d: { $ref: "#/$defs/D", description: "d" } } };
    expect(toGeminiSchema(defs, FORMAT).properties).toEqual({ d: { ...sentData, description: "d" } });
    expect(toGeminiSchema({ type: "object", properties: { any: {} } }, FORMAT).properties).toEqual({ any: {} });
    expect(toGeminiSchema(within({ description: "required only", required: ["x"] }), FORMAT).properties).toEqual({ go_back: { type: "object", description: "required only", required: ["x"] } });
  });

  test("an allOf or $ref merged into properties takes them", () => {
    const schema = { $defs: { Base: { type: "object" } }, type: "object", properties: { p: { allOf: [{ $ref: "#/$defs/Base" }], properties: { a: { type: "string" } } } } };
    expect(toGeminiSchema(schema, FORMAT).properties).toEqual({ p: { type: "object", properties: { a: { type: "string" } } } });
  });
});

/** LangChain's RunnableConfig as a tool argument: free-form dicts beside typed fields. */
const runnable = {
  type: "object",
  properties: {
    query: { type: "string" },
    config: { type: "object", description: "Configuration for a Runnable.", properties: { tags: { type: "array", items: { type: "string" } }, metadata: { type: "object" }, configurable: { type: "object" } } },
    kwargs: { default: null, type: "object" },
  },
  required: ["query"],
};

describe("a free-form object (no properties key) is sent as an object", () => {
  test("nested in properties, items or anyOf, and as a type list's branch, in tool parameters and response formats alike", () => {
    for (const param of [TOOL, FORMAT]) {
      expect(toGeminiSchema(within({ type: "object", description: "free-form" }), param).properties).toEqual({ go_back: { type: "object", description: "free-form" } });
      expect(toGeminiSchema({ type: "object", properties: { list: { type: "array", items: { type: "object" } } } }, param).properties).toEqual({ list: { type: "array", items: { type: "object" } } });
      expect(toGeminiSchema({ type: "object", properties: { a: { anyOf: [{ type: "object" }, { type: "string" }] } } }, param).properties).toEqual({ a: { anyOf: [{ type: "object" }, { type: "string" }] } });
      expect(toGeminiSchema(within({ type: ["object", "null"] }), param).properties).toEqual({ go_back: { type: "object", nullable: true } });
      expect(toGeminiSchema(within({ type: ["object", "string"] }), param).properties).toEqual({ go_back: { anyOf: [{ type: "object" }, { type: "string" }] } });
    }
    expect(toGeminiSchema(runnable, TOOL).properties).toEqual(runnable.properties);
  });

  test("as a response format's root, too", () => {
    expect(toGeminiSchema({ type: "object" }, FORMAT)).toEqual({ type: "object" });
  });

  test("through the proxy, nested in tool parameters or a response format, it reaches Gemini, which answers", async () => {
    const viaTool = await sendChat({ client, fake }, { model: "gemini", messages, ...tool(runnable) });
    expect(viaTool.refused).toBe(false);
    expect(viaTool.sent.tools[0].functionDeclarations[0].parameters.properties.config.properties.metadata).toEqual({ type: "object" });
    const viaFormat = await sendChat({ client, fake }, { model: "gemini", messages, ...format(within({ type: "object" })) });
    expect(viaFormat.refused).toBe(false);
    expect(viaFormat.sent.generationConfig.responseSchema).toEqual({ type: "object", properties: { go_back: { type: "object" } } });
  });

  test("in a chain reaching Gemini by fallback, Gemini answers it", async () => {
    const before = fake.calls();
    const body = { model: "down_gemini_echo", messages, ...tool(within({ type: "object" })) } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming;
    const { data, response } = await client.chat.completions.create(body).withResponse();
    expect(response.status).toBe(200);
    expect(fake.calls()).toBe(before + 1);
    expect(data.model).toContain("gemini");
  });
});

describe("an explicit empty properties map (Pydantic's empty model, zod's z.object({}))", () => {
  test("is dropped with an empty required, keeping type object, nested or at the root", () => {
    for (const param of [TOOL, FORMAT]) {
      expect(toGeminiSchema(within({ type: "object", properties: {} }), param).properties).toEqual({ go_back: { type: "object" } });
      const zod = { type: "object", properties: {}, required: [], additionalProperties: false, title: "GoBack" };
      expect(toGeminiSchema(within(zod), param).properties).toEqual({ go_back: { type: "object", title: "GoBack" } });
      expect(toGeminiSchema({ type: "object", properties: { l: { type: "array", items: { type: "object", properties: {} } } } }, param).properties).toEqual({ l: { type: "array", items: { type: "object" } } });
      expect(toGeminiSchema(within({ type: ["object", "string"], properties: {} }), param).properties).toEqual({ go_back: { anyOf: [{ type: "object" }, { type: "string" }] } });
      expect(toGeminiSchema({ $defs: { Empty: { type: "object", properties: {} } }, type: "object", properties: { e: { $ref: "#/$defs/Empty" } } }, param).properties).toEqual({ e: { type: "object" } });
      expect(toGeminiSchema(within({ properties: {}, required: [] }), param).properties).toEqual({ go_back: { type: "object" } });
    }
    expect(toGeminiSchema({ type: "object", properties: {} }, FORMAT)).toEqual({ type: "object" });
  });

  test("through the proxy (browser-use's go_back in a response format), it reaches Gemini without the map", async () => {
    const outcome = await sendChat({ client, fake }, { model: "gemini", messages, ...format(within({ type: "object", properties: {} })) });
    expect(outcome.refused).toBe(false);
    expect(outcome.sent.generationConfig.responseSchema).toEqual({ type: "object", properties: { go_back: { type: "object" } } });
  });
});

describe("at the root of tool parameters", () => {
  test("an object without properties is still a function declared without parameters", async () => {
    for (const root of [{ type: "object" }, { type: "object", properties: {} }, { type: "object", properties: {}, required: [], additionalProperties: false }]) {
      const outcome = await sendChat({ client, fake }, { model: "gemini", messages, ...tool(root) });
      expect(outcome.sent.tools[0].functionDeclarations[0]).toEqual({ name: "update_page" });
    }
  });

  test("an explicit record (additionalProperties true or a schema, no properties) is still refused, as before (schema-records.test.ts)", async () => {
    expect(await sendChat({ client, fake }, { model: "gemini", messages, ...tool({ type: "object", additionalProperties: true }) })).toMatchObject({ refused: true, param: TOOL });
    expect(refusedAt(within({ type: "object", additionalProperties: true }))).toContain("at #/properties/go_back/additionalProperties:");
  });
});
