/**
 * A recursive schema the echo vendor is given (a linked list, a tree, `$ref: "#"`) has an answer, never
 * a stack overflow: a 500 there is what the proxy counts as the deployment failing, so one caller's
 * schema opened the echo deployment's circuit for everyone on `npm start`. A schema it cannot
 * instantiate at all is OpenAI's 400 naming the parameter.
 */
import { expect, test } from "bun:test";
import { minimalInstance } from "./schema-instance.ts";
import { useEchoVendor } from "./test-client.ts";

const echo = useEchoVendor();
const ask = [{ role: "user", content: "hi" }];

/** A linked list whose node is nullable by its type list: its finite instance ends in null. */
const linked = {
  $defs: { node: { type: ["object", "null"], properties: { v: { type: "string" }, next: { $ref: "#/$defs/node" } }, required: ["v", "next"], additionalProperties: false } },
  type: "object",
  properties: { head: { $ref: "#/$defs/node" } },
  required: ["head"],
  additionalProperties: false,
};

/** The list's nodes from the head, and where it ends. */
function walk(list: unknown): { length: number; end: unknown } {
  let node = (list as { head: unknown }).head;
  let length = 0;
  while (node !== null && typeof node === "object" && "next" in node) {
    length++;
    node = (node as { next: unknown }).next;
  }
  return { length, end: node };
}

test("a node nullable by its type list ends in null once deep enough, every node before it complete", () => {
  const { length, end } = walk(minimalInstance(linked, "hi"));
  expect(end).toBeNull();
  expect(length).toBeGreaterThan(0);
});

test("a recursion with no ending branch stops at the hard cap, with the smallest value of the node's type", () => {
  const endless = { $defs: { node: { type: "object", properties: { next: { $ref: "#/$defs/node" } }, required: ["next"] } }, $ref: "#/$defs/node" };
  expect(JSON.stringify(minimalInstance(endless, "hi"))).toContain('{"next":{}}');
  const self = { type: "object", properties: { child: { allOf: [{ $ref: "#" }] } } };
  expect(() => minimalInstance(self, "hi", { all: true })).not.toThrow();
  // Three required children per node: the answer stays small.
  const tree = { type: "object", properties: { a: { $ref: "#" }, b: { $ref: "#" }, c: { $ref: "#" } }, required: ["a", "b", "c"] };
  expect(JSON.stringify(minimalInstance(tree, "hi")).length).toBeLessThan(1_000_000);
});

test("json_schema with the linked list: 200 and the list ending in null", async () => {
  const res = await echo.post("/v1/chat/completions", { model: "echo-1", messages: ask, response_format: { type: "json_schema", json_schema: { name: "list", strict: true, schema: linked } } });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { choices: { message: { content: string } }[] };
  expect(walk(JSON.parse(body.choices[0]!.message.content)).end).toBeNull();
});

test("a function with the linked list as parameters, tool_choice required: 200 and a call", async () => {
  const res = await echo.post("/v1/chat/completions", { model: "echo-1", messages: ask, tools: [{ type: "function", function: { name: "f", parameters: linked } }], tool_choice: "required" });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { choices: { finish_reason: string; message: { tool_calls: { function: { arguments: string } }[] } }[] };
  expect(body.choices[0]!.finish_reason).toBe("tool_calls");
  expect(walk(JSON.parse(body.choices[0]!.message.tool_calls[0]!.function.arguments)).end).toBeNull();
});

test("a schema it cannot instantiate (a $ref to nothing) is OpenAI's 400 naming the parameter, not a 500", async () => {
  const dangling = { type: "object", properties: { a: { $ref: "#/$defs/missing" } }, required: ["a"] };
  const format = await echo.post("/v1/chat/completions", { model: "echo-1", messages: ask, response_format: { type: "json_schema", json_schema: { name: "x", schema: dangling } } });
  expect(format.status).toBe(400);
  expect(((await format.json()) as { error: unknown }).error).toMatchObject({ type: "invalid_request_error", param: "response_format", code: "invalid_json_schema", message: "Invalid schema for response_format 'x': reference '#/$defs/missing' points to nothing in the schema." });
  const tools = [{ type: "function", function: { name: "ok", parameters: { type: "object" } } }, { type: "function", function: { name: "bad", parameters: dangling } }];
  const call = await echo.post("/v1/chat/completions", { model: "echo-1", messages: ask, tools, tool_choice: { type: "function", function: { name: "bad" } } });
  expect(call.status).toBe(400);
  expect(((await call.json()) as { error: unknown }).error).toMatchObject({ param: "tools[1].function.parameters", code: "invalid_function_parameters", message: "Invalid schema for function 'bad': reference '#/$defs/missing' points to nothing in the schema." });
});

test("a size it will not build (minItems, minLength in the millions) is a schema it cannot instantiate, not a heap exhausted", () => {
  expect(() => minimalInstance({ type: "array", items: { type: "integer" }, minItems: 1e9 }, "hi")).toThrow("minItems 1000000000");
  expect(() => minimalInstance({ type: "string", minLength: 1e9 }, "hi")).toThrow("minLength 1000000000");
});

test("a $ref is read through the schema's own keys only: '#/__proto__/constructor' points to nothing", async () => {
  for (const ref of ["#/__proto__/constructor", "#/constructor", "#/properties/toString", "#/$defs/a/hasOwnProperty"]) {
    const schema = { type: "object", $defs: { a: { type: "string" } }, properties: { x: { $ref: ref } }, required: ["x"] };
    expect(() => minimalInstance(schema, "hi")).toThrow(`reference '${ref}' points to nothing in the schema.`);
  }
  const res = await echo.post("/v1/chat/completions", { model: "echo-1", messages: ask, response_format: { type: "json_schema", json_schema: { name: "x", schema: { $ref: "#/__proto__/constructor" } } } });
  expect([res.status, ((await res.json()) as { error: { param: string } }).error.param]).toEqual([400, "response_format"]);
  expect(minimalInstance({ $defs: { "a/b": { type: "integer" } }, $ref: "#/$defs/a~1b" }, "hi")).toBe(0);
});
