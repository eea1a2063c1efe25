/**
 * JSON outputs take only closed objects (additionalProperties false). A json_schema whose objects list
 * their properties but leave additionalProperties out (as most hand-written schemas and many libraries
 * do) was a 400 naming response_format; Anthropic's SDKs close every object before sending one
 * (transformJSONSchema, anthropic-sdk-typescript src/lib/transform-json-schema.ts), which only narrows
 * what the answer may hold, and an answer of the closed schema is valid for the client's. Now such an
 * object is closed; one open by additionalProperties true or a schema, one listing no properties (a
 * record, which closing would leave always empty), the parts of an allOf (closed, each would refuse
 * the others' properties) and of a oneOf (exactly one: closed, an answer matching two open parts
 * would match one and pass), and what a oneOf's part reaches by $ref, onward, stay the 400; an object
 * no oneOf part reaches is closed beside them. Through the proxy with the openai SDK.
 */
import { expect, test } from "bun:test";
import { fakeDeployment, useVendorProxy } from "../testing/use-vendor-proxy.ts";

const t = useVendorProxy({
  fakes: ["anthropic"],
  configure(s) {
    s.deployments.dep_opus55 = fakeDeployment("dep_opus55", "anthropic", t.anthropic.url, "claude-opus-5-5");
    s.aliases.opus55 = { name: "opus55", chain: ["dep_opus55"] };
  },
});
const messages = [{ role: "user" as const, content: "Paris" }];
const format = (schema: Record<string, unknown>) => ({ type: "json_schema" as const, json_schema: { name: "place", schema } });

test("objects listing their properties without additionalProperties are sent closed, at every level, and answered", async () => {
  const where = { type: "object", properties: { lat: { type: "number" } }, required: ["lat"] };
  const schema = { type: "object", properties: { city: { type: "string" }, where, stops: { type: "array", items: where }, alt: { anyOf: [where, { type: "null" }] } }, required: ["city", "where", "stops", "alt"], $defs: { d: where } };
  const answer = await t.fx.client(t.proxy).chat.completions.create({ model: "opus55", messages, response_format: format(schema) });
  expect(JSON.parse(answer.choices[0]!.message.content!)).toEqual({ city: "Paris", where: { lat: 1 }, stops: [{ lat: 1 }], alt: { lat: 1 } });
  const closed = { ...where, additionalProperties: false };
  expect((t.anthropic.lastRequest()!.body as { output_config: { format: unknown } }).output_config.format).toEqual({
    type: "json_schema",
    schema: { ...schema, additionalProperties: false, properties: { city: { type: "string" }, where: closed, stops: { type: "array", items: closed }, alt: { anyOf: [closed, { type: "null" }] } }, $defs: { d: closed } },
  });
});

test("an object open by additionalProperties true or a schema, or listing no properties, is still the 400 naming response_format", async () => {
  for (const schema of [
    { type: "object", properties: { city: { type: "string" } }, additionalProperties: true },
    { type: "object", properties: { city: { type: "string" } }, additionalProperties: { type: "string" } },
    { type: "object", properties: { tags: { type: "object" } }, additionalProperties: false },
    { type: "object", properties: {} },
    // Closed, each part would refuse the other's property.
    { type: "object", properties: { p: { allOf: [{ type: "object", properties: { a: { type: "string" } } }, { type: "object", properties: { b: { type: "string" } } }] } }, additionalProperties: false },
    // oneOf is exactly one: closed, {"b":"x"} would match only the second part, where open it matches both.
    { type: "object", properties: { p: { oneOf: [{ type: "object", properties: { a: { type: "string" } } }, { type: "object", properties: { b: { type: "string" } } }] } }, additionalProperties: false },
    // The same through $refs (pydantic's discriminated unions): closing the $defs would close the parts.
    { type: "object", properties: { p: { oneOf: [{ $ref: "#/$defs/A" }, { $ref: "#/$defs/B" }] } }, required: ["p"], $defs: { A: { type: "object", properties: { a: { type: "string" } } }, B: { type: "object", properties: { b: { type: "string" } } } } },
    // Onward: A is closed, but the C it reaches by $ref is part of the oneOf's first part too.
    { type: "object", properties: { p: { oneOf: [{ $ref: "#/$defs/A" }, { $ref: "#/$defs/B" }] } }, required: ["p"], $defs: { A: { type: "object", properties: { c: { $ref: "#/$defs/C" } }, additionalProperties: false }, B: { type: "object", properties: { b: { type: "string" } }, additionalProperties: false }, C: { type: "object", properties: { a: { type: "string" } } } } },
    // A $ref to an object outside $defs: q is a part of the oneOf as well as a property.
    { type: "object", properties: { p: { oneOf: [{ $ref: "#/properties/q" }, { type: "object", properties: { b: { type: "string" } }, additionalProperties: false }] }, q: { type: "object", properties: { a: { type: "string" } } } }, required: ["p", "q"] },
  ]) {
    const error = await t.fx
      .client(t.proxy)
      .chat.completions.create({ model: "opus55", messages, response_format: format(schema) })
      .then(() => null, (e: { status?: number; param?: string }) => e);
    expect([schema, error?.status, error?.param]).toEqual([schema, 400, "response_format"]);
  }
});

test("an object no oneOf part reaches is sent closed beside a oneOf of $refs to closed $defs", async () => {
  const closedDef = (name: string) => ({ type: "object", properties: { [name]: { type: "string" } }, required: [name], additionalProperties: false });
  const q = { type: "object", properties: { x: { type: "string" } }, required: ["x"] };
  const schema = { type: "object", properties: { p: { oneOf: [{ $ref: "#/$defs/A" }, { $ref: "#/$defs/B" }] }, q }, required: ["p", "q"], $defs: { A: closedDef("a"), B: closedDef("b") } };
  const answer = await t.fx.client(t.proxy).chat.completions.create({ model: "opus55", messages, response_format: format(schema) });
  expect(answer.choices[0]!.message.content).toBeString();
  expect((t.anthropic.lastRequest()!.body as { output_config: { format: unknown } }).output_config.format).toEqual({
    type: "json_schema",
    // oneOf goes as anyOf (strict-schema.ts, as the SDKs send it).
    schema: { ...schema, additionalProperties: false, properties: { p: { anyOf: [{ $ref: "#/$defs/A" }, { $ref: "#/$defs/B" }] }, q: { ...q, additionalProperties: false } } },
  });
});
