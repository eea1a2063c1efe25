/**
 * Gemini takes `properties` (and `required`) on an OBJECT schema only, and an OBJECT only with
 * properties: "…properties[data].properties: only allowed for OBJECT type" (MCP's typeless nodes,
 * anomalyco/opencode#11889, #13148) and "…properties[go_back].properties: should be non-empty for
 * OBJECT type" (browser-use/browser-use#3786; the response_schema root too). Both were sent as given and
 * failed the request with Gemini's 400, no fallback. A typeless node with properties or required is
 * sent as an object (toolParameters already said so at the root); an object without properties, open
 * (`{type:"object"}`: JSON Schema's additionalProperties defaults to true) or closed (`properties: {}`,
 * zod's z.object({})), is refused before the call naming the field (a 400; reached by fallback, Gemini
 * is skipped for the next deployment). At the root of tool parameters it still declares a function
 * without parameters, as before.
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

/** `{type:"object"}`, Pydantic's empty model, zod's z.object({}) (closed), and nullable (a type list). */
const EMPTY_OBJECTS: unknown[] = [
  { type: "object" },
  { type: "object", properties: {}, title: "GoBack" },
  { type: "object", properties: {}, additionalProperties: false },
  { type: ["object", "null"] },
  { description: "typeless, with required only", required: ["x"] },
];

function refusedAt(schema: unknown): string {
  try {
    toGeminiSchema(schema, FORMAT);
  } catch (e) {
    expect(e).toBeInstanceOf(UnsupportedParameterError);
    expect((e as UnsupportedParameterError).param).toBe(FORMAT);
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
  });
});

describe("an object without properties", () => {
  test("nested, it is refused naming where, in tool parameters and in a response format", () => {
    for (const empty of EMPTY_OBJECTS) {
      expect(refusedAt(within(empty))).toContain("at #/properties/go_back:");
      expect(refusedAt({ type: "object", properties: { list: { type: "array", items: empty } } })).toContain("at #/properties/list/items:");
      expect(refusedAt({ type: "object", properties: { a: { anyOf: [empty, { type: "string" }] } } })).toContain("at #/properties/a/anyOf/0:");
    }
    expect(refusedAt({ type: "object", properties: { a: { type: ["object", "string"] } } })).toContain("at #/properties/a/type:");
    expect(refusedAt({ $defs: { Empty: { type: "object", properties: {} } }, type: "object", properties: { e: { $ref: "#/$defs/Empty" } } })).toContain("at #/properties/e:");
  });

  test("an allOf or $ref merged into properties is not one", () => {
    const schema = { $defs: { Base: { type: "object" } }, type: "object", properties: { p: { allOf: [{ $ref: "#/$defs/Base" }], properties: { a: { type: "string" } } } } };
    expect(toGeminiSchema(schema, FORMAT).properties).toEqual({ p: { type: "object", properties: { a: { type: "string" } } } });
  });

  test("through the proxy, nested in tool parameters or a response format: a 400 naming the field, without a call", async () => {
    for (const empty of EMPTY_OBJECTS) {
      expect(await sendChat({ client, fake }, { model: "gemini", messages, ...tool(within(empty)) })).toMatchObject({ refused: true, param: TOOL });
      expect(await sendChat({ client, fake }, { model: "gemini", messages, ...format(within(empty)) })).toMatchObject({ refused: true, param: FORMAT });
    }
  });

  test("as a response format's root, it is refused too (Gemini: response_schema.properties: should be non-empty)", async () => {
    for (const empty of [{ type: "object" }, { type: "object", properties: {}, additionalProperties: false }]) {
      expect(await sendChat({ client, fake }, { model: "gemini", messages, ...format(empty) })).toMatchObject({ refused: true, param: FORMAT });
    }
  });

  test("as tool parameters' root, it is still a function declared without parameters", async () => {
    for (const root of [{ type: "object" }, { type: "object", properties: {} }, { type: "object", properties: {}, required: [], additionalProperties: false }]) {
      const outcome = await sendChat({ client, fake }, { model: "gemini", messages, ...tool(root) });
      expect(outcome.sent.tools[0].functionDeclarations[0]).toEqual({ name: "update_page" });
    }
    expect(await sendChat({ client, fake }, { model: "gemini", messages, ...tool({ type: "object", additionalProperties: true }) })).toMatchObject({ refused: true, param: TOOL });
  });

  test("reached by fallback, Gemini is skipped for the next deployment, which answers", async () => {
    const before = fake.calls();
    const body = { model: "down_gemini_echo", messages, ...tool(within({ type: "object" })) } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming;
    const { response } = await client.chat.completions.create(body).withResponse();
    expect(response.status).toBe(200);
    expect(fake.calls()).toBe(before);
  });
});
