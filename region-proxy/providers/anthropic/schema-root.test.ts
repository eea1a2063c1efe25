/**
 * Anthropic takes a tool's input_schema only with `type: "object"` at its root ("input_schema.type:
 * Field required") and without anyOf/oneOf/allOf at the top level ("input_schema does not support
 * oneOf, allOf, or anyOf at the top level"). A tool's parameters, or a response_format schema (sent as
 * the forced JSON tool's input_schema), that cannot be one is refused before the call, naming the
 * OpenAI field, not answered with Anthropic's 400 about `tools.0`. A root that is only a `$ref` into the
 * schema's own `$defs`/`definitions` is inlined. Minimised from the fuzzing review; through the proxy
 * to the fake Anthropic, read through the official SDK, then the fake's own refusals.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startFakeAnthropic } from "../../../test/fakes/anthropic.ts";
import { sendChat, startVendorBehindProxy, type VendorBehindProxy } from "../../testing/vendor-behind-proxy.ts";
import { JSON_TOOL_NAME } from "./tools.ts";

let vp: VendorBehindProxy;
beforeAll(async () => {
  vp = await startVendorBehindProxy({ provider: "anthropic", start: startFakeAnthropic }, { claude: "claude-fake" });
});
afterAll(() => vp?.stop());

const messages = [{ role: "user", content: "hi" }];
const object = { type: "object", properties: { a: { type: "string" } } };
const withTool = (parameters: unknown) => ({ model: "claude", messages, tools: [{ type: "function", function: { name: "f", parameters } }] });
const withFormat = (schema: unknown) => ({ model: "claude", messages, response_format: { type: "json_schema", json_schema: { name: "out", schema } } });
const sentTools = (sent: any) => sent.tools as Array<Record<string, unknown>>;

/** Roots Anthropic refuses: no usable object type, or alternatives at the top level. */
const UNUSABLE_ROOTS: Array<[string, unknown]> = [
  ["anyOf", { anyOf: [object, { type: "null" }] }],
  ["oneOf", { oneOf: [object, { type: "object", properties: { b: { type: "integer" } } }] }],
  ["allOf", { allOf: [object] }],
  ["type null", { type: null, properties: { x: { type: "string" } } }],
  ["type string", { type: "string" }],
  ["type list", { type: ["object", "null"], properties: {} }],
  ["typed object with top-level anyOf", { ...object, anyOf: [{ required: ["a"] }, { required: ["b"] }] }],
  ["typed object with top-level oneOf", { ...object, oneOf: [{ required: ["a"] }] }],
  ["MCP-style typeless with top-level allOf", { properties: { a: { type: "string" } }, allOf: [{ required: ["a"] }] }],
  ["$ref outside the schema", { $ref: "https://example.com/schema.json" }],
  ["$ref to a missing definition", { $ref: "#/$defs/missing", $defs: { a: object } }],
  ["$ref to a union", { $ref: "#/$defs/u", $defs: { u: { anyOf: [object, { type: "null" }] } } }],
  ["not a schema", "nonsense"],
];

describe("anthropic: a schema root that cannot be an input_schema", () => {
  for (const [name, schema] of UNUSABLE_ROOTS) {
    test(`tool parameters with ${name} are a 400 naming them, without a vendor call`, async () => {
      expect(await sendChat(vp, withTool(schema))).toMatchObject({ refused: true, param: "tools[0].function.parameters" });
    });

    test(`a response_format schema with ${name} is a 400 naming it, without a vendor call`, async () => {
      expect(await sendChat(vp, withFormat(schema))).toMatchObject({ refused: true, param: "response_format.json_schema.schema" });
    });
  }

  test("the refusal names the tool at fault and says what Anthropic needs", async () => {
    const error = await vp.client.chat.completions
      .create({ model: "claude", messages: [{ role: "user", content: "hi" }], tools: [{ type: "function", function: { name: "ok", parameters: object } }, { type: "function", function: { name: "bad", parameters: { anyOf: [object] } } }] })
      .then(() => null, (e: unknown) => e as { status: number; param: string; message: string });
    expect(error).toMatchObject({ status: 400, param: "tools[1].function.parameters" });
    expect(error!.message).toContain("'object'");
    expect(error!.message).toContain("anyOf, oneOf or allOf");
  });

  test("a root that is only a $ref into its own $defs is inlined, the definitions kept for nested refs", async () => {
    const $defs = { a: { type: "object", properties: { x: { type: "string" }, next: { $ref: "#/$defs/a" } } } };
    const { refused, sent } = await sendChat(vp, withTool({ $ref: "#/$defs/a", $defs, description: "an a" }));
    expect(refused).toBe(false);
    expect(sentTools(sent)[0]!.input_schema).toEqual({ ...$defs.a, $defs, description: "an a" });
  });

  test("a response_format schema rooted in a $ref to definitions (zod-to-json-schema with a name) is inlined", async () => {
    const definitions = { Out: { type: "object", properties: { n: { type: "number" } }, required: ["n"] } };
    const { refused, sent } = await sendChat(vp, withFormat({ $ref: "#/definitions/Out", definitions, $schema: "http://json-schema.org/draft-07/schema#" }));
    expect(refused).toBe(false);
    expect(sentTools(sent)).toEqual([
      { name: JSON_TOOL_NAME, description: "Respond with the out object.", input_schema: { ...definitions.Out, definitions, $schema: "http://json-schema.org/draft-07/schema#" } },
    ]);
  });

  test("a $ref beside keywords that constrain the root is not merged, and so refused", async () => {
    expect(await sendChat(vp, withTool({ $ref: "#/$defs/a", $defs: { a: object }, required: ["a"] }))).toMatchObject({ refused: true, param: "tools[0].function.parameters" });
  });

  test("object roots, with alternatives nested below the root, and no or typeless parameters still reach Anthropic", async () => {
    const nested = { type: "object", properties: { v: { anyOf: [{ type: "string" }, { type: "null" }] } } };
    for (const [parameters, sentAs] of [
      [object, object],
      [nested, nested],
      [undefined, { type: "object", properties: {} }],
      [{}, { type: "object", properties: {} }],
      [{ properties: { q: { type: "string" } } }, { type: "object", properties: { q: { type: "string" } } }],
    ] as const) {
      const { refused, sent } = await sendChat(vp, withTool(parameters));
      expect(refused).toBe(false);
      expect(sentTools(sent)[0]!.input_schema).toEqual(sentAs);
    }
    expect(sentTools((await sendChat(vp, withFormat(nested))).sent)[0]!.input_schema).toEqual(nested);
    expect(sentTools((await sendChat(vp, { model: "claude", messages, response_format: { type: "json_object" } })).sent)[0]!.input_schema).toEqual({ type: "object" });
  });
});

describe("the fake Anthropic refuses what Anthropic refuses in an input_schema", () => {
  const post = (input_schema: unknown) =>
    fetch(`${vp.fake.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": "vendor-fake-key", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ model: "claude-fake", max_tokens: 5, messages: [{ role: "user", content: "hi" }], tools: [{ name: "ok", input_schema: object }, { name: "f", input_schema }] }),
    });

  test("a root without type", async () => {
    for (const schema of [{ anyOf: [object] }, { $ref: "#/$defs/a", $defs: { a: object } }, { type: null }]) {
      const res = await post(schema);
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ type: "error", error: { type: "invalid_request_error", message: "tools.1.custom.input_schema.type: Field required" } });
    }
  });

  test("a typed root with anyOf, oneOf or allOf at the top level", async () => {
    for (const key of ["anyOf", "oneOf", "allOf"]) {
      const res = await post({ ...object, [key]: [{ required: ["a"] }] });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({
        type: "error",
        error: { type: "invalid_request_error", message: "tools.1.custom.input_schema: input_schema does not support oneOf, allOf, or anyOf at the top level" },
      });
    }
  });

  test("alternatives below the root are accepted", async () => {
    expect((await post({ type: "object", properties: { v: { anyOf: [{ type: "string" }, { type: "null" }] } } })).status).toBe(200);
  });
});
