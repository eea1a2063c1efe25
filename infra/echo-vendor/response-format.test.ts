import { expect, test } from "bun:test";
import { useEchoVendor } from "./test-client.ts";

const echo = useEchoVendor();
const ask = [{ role: "user" as const, content: "Alice is 30" }];
const person = {
  type: "json_schema" as const,
  json_schema: {
    name: "person",
    strict: true,
    schema: {
      type: "object",
      properties: { name: { type: "string" }, age: { type: "integer" }, address: { $ref: "#/$defs/address" }, tags: { type: "array", items: { type: "string" } } },
      required: ["name", "age", "address", "tags"],
      additionalProperties: false,
      $defs: { address: { type: "object", properties: { city: { type: "string" }, kind: { enum: ["home", "work"] } }, required: ["city", "kind"], additionalProperties: false } },
    },
  },
};
const expected = { name: "Alice is 30", age: 0, address: { city: "Alice is 30", kind: "home" }, tags: ["Alice is 30"] };

test("json_object: the content is a JSON object echoing the text", async () => {
  const reply = await echo.client.chat.completions.create({ model: "echo-1", messages: ask, response_format: { type: "json_object" } });
  expect(JSON.parse(reply.choices[0]!.message.content!)).toEqual({ echo: "Alice is 30" });
});

test("json_schema: chat.completions.parse() gets an instance valid against the schema", async () => {
  const reply = await echo.client.chat.completions.parse({ model: "echo-1", messages: ask, response_format: person });
  expect(reply.choices[0]!.message.parsed as unknown).toEqual(expected);
  expect(reply.choices[0]!.finish_reason).toBe("stop");
});

test("json_schema streamed: the content deltas concatenate to that JSON", async () => {
  const stream = await echo.client.chat.completions.create({ model: "echo-1", messages: ask, response_format: person, stream: true, stream_options: { include_usage: true } });
  const deltas: string[] = [];
  let usage;
  for await (const chunk of stream) {
    if (chunk.choices[0]?.delta.content) deltas.push(chunk.choices[0].delta.content);
    usage = chunk.usage ?? usage;
  }
  expect(deltas.length).toBeGreaterThan(1);
  expect(JSON.parse(deltas.join(""))).toEqual(expected);
  expect(usage!.completion_tokens).toBe(deltas.length);
});
