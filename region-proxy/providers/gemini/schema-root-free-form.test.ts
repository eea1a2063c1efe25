/**
 * A response format whose root is a free-form object is sent as JSON mode without a responseSchema
 * (Gemini refuses an OBJECT without properties there), and JSON mode holds the answer to nothing.
 * That is acceptable for a root that says nothing more than "some object" (the Vercel AI SDK does the
 * same, vercel/ai#11319), but not for one that promises more: `additionalProperties: false` (only `{}`
 * is valid), `required` names, `minProperties`, or `strict: true` on the json_schema (the caller was
 * promised exact conformance). Those are refused before the call, as the schema's 400, so a chain
 * skips Gemini. A root without a type (`{}`, any value) is the same case. Null branches are folded
 * before an object is judged: `anyOf: [{type: "object"}, {type: "null"}]` (Pydantic's Optional[dict])
 * at the root is `type: ["object", "null"]`, JSON mode, not a nested object refused at #/anyOf/0.
 */
import { describe, expect, test } from "bun:test";
import type OpenAI from "openai";
import { sendChat } from "../../testing/vendor-behind-proxy.ts";
import { useGeminiBehindProxy } from "../testing/gemini-behind-proxy.ts";
import { UnsupportedParameterError } from "../unsupported-parameter.ts";
import { toGeminiSchema } from "./schema.ts";

const gemini = useGeminiBehindProxy("gemini-2.5-flash");

const P = "response_format.json_schema.schema";
const messages = [{ role: "user", content: "hi" }];
const format = (schema: unknown, strict?: boolean) => ({ response_format: { type: "json_schema", json_schema: { name: "out", schema, ...(strict === undefined ? {} : { strict }) } } });
const JSON_MODE = { responseMimeType: "application/json" };
const optionalDict = { anyOf: [{ type: "object", additionalProperties: true }, { type: "null" }], default: null };

function refusedAt(schema: unknown, strict = false): string {
  try {
    toGeminiSchema(schema, P, "responseSchema", { strict });
  } catch (e) {
    expect(e).toBeInstanceOf(UnsupportedParameterError);
    expect((e as UnsupportedParameterError).param).toBe(P);
    return (e as Error).message;
  }
  throw new Error(`not refused: ${JSON.stringify(schema)}`);
}

describe("null branches are folded before the object is judged", () => {
  test("a nullable free-form root is the same whichever way the null is written", () => {
    const typeList = toGeminiSchema({ type: ["object", "null"] }, P, "responseSchema");
    expect(toGeminiSchema({ anyOf: [{ type: "object" }, { type: "null" }] }, P, "responseSchema")).toEqual(typeList);
    expect(toGeminiSchema({ anyOf: [{ type: "null" }, { type: "object", properties: {} }] }, P, "responseSchema")).toEqual(typeList);
  });

  test("through the proxy, Pydantic's Optional[dict] as the root is JSON mode", async () => {
    const outcome = await sendChat(gemini, { model: "gemini", messages, ...format(optionalDict) });
    expect(outcome.refused).toBe(false);
    expect(outcome.sent.generationConfig).toEqual(JSON_MODE);
  });

  test("nested, a nullable free-form object is still refused, naming the field", () => {
    expect(refusedAt({ type: "object", properties: { meta: optionalDict } })).toContain("at #/properties/meta:");
    expect(refusedAt({ type: "object", properties: { meta: { anyOf: [{ type: "object" }, { type: "string" }] } } })).toContain("at #/properties/meta/anyOf/0:");
  });

  test("a nullable object with properties at the root is sent as its schema", () => {
    const schema = { anyOf: [{ type: "object", properties: { a: { type: "string" } } }, { type: "null" }] };
    expect(toGeminiSchema(schema, P, "responseSchema")).toEqual({ type: "object", properties: { a: { type: "string" } }, nullable: true });
  });
});

describe("a free-form root that promises more than JSON mode holds is refused before the call", () => {
  test("additionalProperties false (only {} is valid), required names, min/maxProperties", () => {
    expect(refusedAt({ type: "object", additionalProperties: false })).toContain("at #/additionalProperties:");
    expect(refusedAt({ type: "object", properties: {}, required: [], additionalProperties: false })).toContain("at #/additionalProperties:");
    expect(refusedAt({ anyOf: [{ type: "object", additionalProperties: false }, { type: "null" }] })).toContain("at #/additionalProperties:");
    expect(refusedAt({ $defs: { Empty: { type: "object", additionalProperties: false } }, $ref: "#/$defs/Empty" })).toContain("at #/additionalProperties:");
    expect(refusedAt({ type: "object", required: ["x"] })).toContain("at #/required:");
    expect(refusedAt({ type: "object", minProperties: 1 })).toContain("at #/minProperties:");
  });

  test("strict: true, whatever the free-form root", () => {
    for (const root of [{ type: "object" }, { type: "object", additionalProperties: true }, optionalDict, {}]) expect(refusedAt(root, true)).toContain("at #:");
  });

  test("through the proxy, a 400 naming the schema, Gemini not called", async () => {
    expect(await sendChat(gemini, { model: "gemini", messages, ...format({ type: "object", additionalProperties: false }) })).toMatchObject({ refused: true, param: P });
    expect(await sendChat(gemini, { model: "gemini", messages, ...format({ type: "object" }, true) })).toMatchObject({ refused: true, param: P });
  });

  test("in a chain reaching Gemini by fallback, Gemini is skipped for the next deployment", async () => {
    const before = gemini.fake.calls();
    const body = { model: "down_gemini_echo", messages, ...format({ type: "object", additionalProperties: false }, true) } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming;
    const { data, response } = await gemini.client.chat.completions.create(body).withResponse();
    expect(response.status).toBe(200);
    expect(gemini.fake.calls()).toBe(before);
    expect(data.model).not.toContain("gemini");
  });
});

describe("what stays as it was", () => {
  test("an open free-form root without strict is JSON mode", async () => {
    for (const root of [{ type: "object" }, { type: "object", additionalProperties: true, description: "anything" }, { type: "object", properties: {} }]) {
      const outcome = await sendChat(gemini, { model: "gemini", messages, ...format(root, false) });
      expect(outcome.refused).toBe(false);
      expect(outcome.sent.generationConfig).toEqual(JSON_MODE);
    }
  });

  test("a root without a type ({}, any value) is JSON mode like a free-form object, refused under strict", async () => {
    for (const root of [{}, { description: "anything" }]) {
      const outcome = await sendChat(gemini, { model: "gemini", messages, ...format(root) });
      expect(outcome.refused).toBe(false);
      expect(outcome.sent.generationConfig).toEqual(JSON_MODE);
    }
    expect(await sendChat(gemini, { model: "gemini", messages, ...format({}, true) })).toMatchObject({ refused: true, param: P });
  });

  test("strict with a schema that declares properties is sent with its responseSchema", async () => {
    const schema = { type: "object", properties: { a: { type: "string" } }, required: ["a"], additionalProperties: false };
    const outcome = await sendChat(gemini, { model: "gemini", messages, ...format(schema, true) });
    expect(outcome.refused).toBe(false);
    expect(outcome.sent.generationConfig).toEqual({ ...JSON_MODE, responseSchema: { type: "object", properties: { a: { type: "string" } }, required: ["a"] } });
  });
});
