/**
 * The echo vendor builds an instance of bounded size: an answer over the proxy's 256 MB vendor-body
 * bound counts as the deployment failing, and building hundreds of MB blocks the single-threaded
 * vendor npm start runs for everyone. Past the budget (MAX_INSTANCE_CHARS, and MAX_ANSWER_CHARS over
 * all n choices) the schema is the response_format / tools[i].function.parameters 400.
 */
import { expect, test } from "bun:test";
import { MAX_INSTANCE_CHARS, minimalInstance, SchemaError } from "./schema-instance.ts";
import { MAX_ANSWER_CHARS } from "./echo-answer.ts";
import { useEchoVendor } from "./test-client.ts";

const echo = useEchoVendor();
const messages = [{ role: "user", content: "hi" }];
const withSchema = (schema: unknown, extra: object = {}) =>
  echo.post("/v1/chat/completions", { model: "echo-1", messages, response_format: { type: "json_schema", json_schema: { name: "x", schema } }, ...extra });
type ErrorBody = { error: { param: string; code: string; message: string } };

test("1000 items of minLength 100,000 (each within its cap, 100 MB in all) are refused, not built", async () => {
  expect(() => minimalInstance({ type: "array", minItems: 1000, items: { type: "string", minLength: 100_000 } }, "hi")).toThrow(SchemaError);
  const r = await withSchema({ type: "array", minItems: 1000, items: { type: "string", minLength: 100_000 } });
  const text = await r.text();
  expect([r.status, text.length < 10_000]).toEqual([400, true]);
  expect((JSON.parse(text) as ErrorBody).error).toMatchObject({ param: "response_format", code: "invalid_json_schema" });
  const call = await echo.post("/v1/chat/completions", {
    model: "echo-1",
    messages,
    tools: [{ type: "function", function: { name: "f", parameters: { type: "object", properties: { a: { type: "array", minItems: 100, items: { type: "string", minLength: 100_000 } } }, required: ["a"] } } }],
    tool_choice: "required",
  });
  expect([call.status, ((await call.json()) as ErrorBody).error.param]).toEqual([400, "tools[0].function.parameters"]);
});

test("an instance within the budget is answered; the budget is shared by the n choices", async () => {
  // Half the budget: strings of 100,000 characters (minLength's own cap).
  const schema = { type: "array", minItems: MAX_INSTANCE_CHARS / 2 / 100_000, items: { type: "string", minLength: 100_000 } };
  expect((await withSchema(schema)).status).toBe(200);
  const n = Math.ceil(MAX_ANSWER_CHARS / (MAX_INSTANCE_CHARS / 2)) + 1;
  const r = await withSchema(schema, { n });
  expect([r.status, ((await r.json()) as ErrorBody).error.param]).toEqual([400, "response_format"]);
  expect((await withSchema({ type: "string", minLength: 10 }, { n: 128 })).status).toBe(200);
});

test("repeated allOf: [{$ref: '#'}] parts (doubling each level) are refused, not merged into millions of parts", async () => {
  const schema = { type: "object", allOf: [{ $ref: "#" }, { $ref: "#" }, { $ref: "#" }] };
  expect(() => minimalInstance(schema, "hi")).toThrow(SchemaError);
  const r = await withSchema(schema);
  expect([r.status, ((await r.json()) as ErrorBody).error.param]).toEqual([400, "response_format"]);
  // A few $ref parts are merged as before.
  expect(minimalInstance({ $defs: { a: { type: "integer" } }, allOf: [{ $ref: "#/$defs/a" }, { minimum: 2 }] }, "hi")).toBe(2);
});

test("an untyped node ({} or only a description) counts the text it writes against the budget", () => {
  const text = "x".repeat(1000);
  // 5000 untyped items of 1000 characters: 5,000,000 characters, five times MAX_INSTANCE_CHARS.
  expect(() => minimalInstance({ type: "array", minItems: 5000, items: {} }, text)).toThrow(SchemaError);
  expect(() => minimalInstance({ type: "object", minProperties: 5000, additionalProperties: { description: "any" } }, text)).toThrow(SchemaError);
  expect(() => minimalInstance({ type: "array", minItems: 2, items: {} }, text, { maxChars: 1500 })).toThrow(SchemaError);
  expect(minimalInstance({ type: "array", minItems: 2, items: {} }, text, { maxChars: 2100 })).toEqual([text, text]);
});
