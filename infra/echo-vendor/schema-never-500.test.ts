/**
 * A schema the echo vendor cannot instantiate is the caller's 400 naming the parameter, whatever
 * goes wrong while building its instance: a 500 from `npm start`'s provider counts as the deployment
 * failing, so five such requests from one caller would open its circuit for everyone.
 */
import { expect, test } from "bun:test";
import { useEchoVendor } from "./test-client.ts";

const echo = useEchoVendor();
const messages = [{ role: "user", content: "hi" }];
const withSchema = (schema: unknown) =>
  echo.post("/v1/chat/completions", { model: "echo-1", messages, response_format: { type: "json_schema", json_schema: { name: "x", schema } } });
const withParameters = (parameters: unknown) =>
  echo.post("/v1/chat/completions", { model: "echo-1", messages, tools: [{ type: "function", function: { name: "f", parameters } }], tool_choice: "required" });

test("a format named like an Object.prototype member (constructor, toString, hasOwnProperty) is an unknown format: the echo text, fitted to minLength", async () => {
  for (const format of ["constructor", "toString", "hasOwnProperty", "__proto__"]) {
    const r = await withSchema({ type: "object", properties: { a: { type: "string", format, minLength: 3 } }, required: ["a"] });
    expect([format, r.status]).toEqual([format, 200]);
    const body = (await r.json()) as { choices: { message: { content: string } }[] };
    expect(JSON.parse(body.choices[0]!.message.content)).toEqual({ a: "hih" });
  }
});

test("a $ref with a malformed percent escape is the response_format / parameters 400 naming it, not a 500 (URIError)", async () => {
  const schema = { $defs: { a: { type: "string" } }, $ref: "#/$defs/%E0%A4%A" };
  const r = await withSchema(schema);
  const body = (await r.json()) as { error: { param: string; code: string; message: string } };
  expect([r.status, body.error.param, body.error.code]).toEqual([400, "response_format", "invalid_json_schema"]);
  expect(body.error.message).toContain("%E0%A4%A");
  const call = await withParameters(schema);
  const callBody = (await call.json()) as { error: { param: string } };
  expect([call.status, callBody.error.param]).toEqual([400, "tools[0].function.parameters"]);
});
