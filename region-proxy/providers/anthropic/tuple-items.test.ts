/**
 * Draft-07 tuples (`items: [A, B]` with `additionalItems`), as zod 4's z.toJSONSchema(.., { target:
 * "draft-7" }) writes a z.tuple and as MCP servers publish them. OpenAI takes them; Anthropic validates
 * every input_schema against draft 2020-12, where `items` is one schema, and refuses the whole request
 * ("tools.0.custom.input_schema: JSON schema is invalid. It must match JSON Schema draft 2020-12").
 * They are rewritten to what they mean in 2020-12, at any depth: `items: [A, B]` → `prefixItems: [A, B]`,
 * `additionalItems: X` → `items: X`. Through the proxy to the fake Anthropic, read through the official
 * SDK, then the translation on a strict-tools deployment, then the fake's own refusal.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startFakeAnthropic } from "../../../test/fakes/anthropic.ts";
import { sendChat, startVendorBehindProxy, type VendorBehindProxy } from "../../testing/vendor-behind-proxy.ts";
import { convertTools, JSON_TOOL_NAME } from "./tools.ts";

let vp: VendorBehindProxy;
beforeAll(async () => {
  vp = await startVendorBehindProxy({ provider: "anthropic", start: startFakeAnthropic }, { claude: "claude-fake" });
});
afterAll(() => vp?.stop());

const DRAFT_07 = "http://json-schema.org/draft-07/schema#";
const messages = [{ role: "user" as const, content: "call tool" }];

/** z.toJSONSchema(z.object({ point: z.tuple([z.number(), z.number()]), rest: z.tuple([z.string()], z.number()) }), { target: "draft-7", io: "input" }), zod 4. */
const zodDraft7 = {
  $schema: DRAFT_07,
  type: "object",
  properties: {
    point: { type: "array", items: [{ type: "number" }, { type: "number" }], additionalItems: false, minItems: 2, maxItems: 2 },
    rest: { type: "array", items: [{ type: "string" }], additionalItems: { type: "number" }, minItems: 1 },
  },
  required: ["point", "rest"],
};
const as2020 = {
  $schema: DRAFT_07,
  type: "object",
  properties: {
    point: { type: "array", prefixItems: [{ type: "number" }, { type: "number" }], items: false, minItems: 2, maxItems: 2 },
    rest: { type: "array", prefixItems: [{ type: "string" }], items: { type: "number" }, minItems: 1 },
  },
  required: ["point", "rest"],
};

const withTool = (parameters: unknown) => ({ model: "claude", messages, tools: [{ type: "function", function: { name: "move", parameters } }] });

describe("anthropic: draft-07 tuples reach Anthropic as draft 2020-12", () => {
  test("zod's draft-7 z.tuple (additionalItems false, and a rest schema): prefixItems and items, and the call comes back (streamed)", async () => {
    const stream = await vp.client.chat.completions.create({ model: "claude", messages, tools: [{ type: "function", function: { name: "move", parameters: zodDraft7 } }], stream: true });
    const names: string[] = [];
    for await (const chunk of stream) for (const call of chunk.choices[0]?.delta.tool_calls ?? []) if (call.function?.name) names.push(call.function.name);
    expect(names).toEqual(["move"]);
    expect((vp.fake.lastRequest()!.body as { tools: Array<Record<string, unknown>> }).tools[0]!.input_schema).toEqual(as2020);
  });

  test("a tuple without additionalItems gets no items (any further element is allowed, as in draft-07)", async () => {
    const { refused, sent } = await sendChat(vp, withTool({ type: "object", properties: { p: { type: "array", items: [{ type: "string" }, { type: "integer" }] } } }));
    expect(refused).toBe(false);
    expect(sent.tools[0].input_schema.properties.p).toEqual({ type: "array", prefixItems: [{ type: "string" }, { type: "integer" }] });
  });

  test("at any depth: in $defs, anyOf, a tuple of tuples, additionalItems and a response_format schema; a property named items keeps its name", async () => {
    const pair = { type: "array", items: [{ type: "number" }, { type: "number" }], additionalItems: false };
    const schema = {
      type: "object",
      properties: {
        items: { type: "array", items: [pair, { anyOf: [pair, { type: "null" }] }] },
        ref: { $ref: "#/$defs/Pair" },
        tail: { type: "array", items: [{ type: "string" }], additionalItems: pair },
      },
      $defs: { Pair: pair },
    };
    const pair2020 = { type: "array", prefixItems: [{ type: "number" }, { type: "number" }], items: false };
    const expected = {
      type: "object",
      properties: {
        items: { type: "array", prefixItems: [pair2020, { anyOf: [pair2020, { type: "null" }] }] },
        ref: { $ref: "#/$defs/Pair" },
        tail: { type: "array", prefixItems: [{ type: "string" }], items: pair2020 },
      },
      $defs: { Pair: pair2020 },
    };
    expect((await sendChat(vp, withTool(schema))).sent.tools[0].input_schema).toEqual(expected);
    const format = await sendChat(vp, { model: "claude", messages, response_format: { type: "json_schema", json_schema: { name: "out", schema } } });
    expect(format.sent.tools).toEqual([{ name: JSON_TOOL_NAME, description: "Respond with the out object.", input_schema: expected }]);
  });

  test("additionalItems beside a single-schema items, or without items, means nothing in draft-07 and is left out", async () => {
    const { sent } = await sendChat(vp, withTool({ type: "object", properties: { a: { type: "array", items: { type: "string" }, additionalItems: false }, b: { type: "array", additionalItems: { type: "number" } } } }));
    expect(sent.tools[0].input_schema.properties).toEqual({ a: { type: "array", items: { type: "string" } }, b: { type: "array" } });
  });

  test("2020-12 prefixItems beside a draft-07 items list cannot be rewritten faithfully: a 400 naming the parameters, without a vendor call", async () => {
    const mixed = { type: "object", properties: { p: { type: "array", prefixItems: [{ type: "string" }], items: [{ type: "number" }] } } };
    expect(await sendChat(vp, withTool(mixed))).toMatchObject({ refused: true, param: "tools[0].function.parameters" });
  });

  test("on a strict-tools deployment the rewritten tuple stays strict, its length bounds described", () => {
    const parameters = { type: "object", properties: { point: zodDraft7.properties.point }, required: ["point"], additionalProperties: false };
    const { tools } = convertTools([{ type: "function", function: { name: "move", strict: true, parameters } }], undefined, undefined, undefined, true);
    expect(tools![0]).toEqual({
      name: "move",
      strict: true,
      input_schema: {
        type: "object",
        properties: { point: { type: "array", prefixItems: [{ type: "number" }, { type: "number" }], items: false, description: "{minItems: 2, maxItems: 2}" } },
        required: ["point"],
        additionalProperties: false,
      },
    });
  });
});

test("the fake Anthropic refuses an array-valued items anywhere in an input_schema, as Anthropic does", async () => {
  const post = (input_schema: unknown) =>
    fetch(`${vp.fake.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": "vendor-fake-key", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ model: "claude-fake", max_tokens: 5, messages: [{ role: "user", content: "hi" }], tools: [{ name: "ok", input_schema: { type: "object" } }, { name: "move", input_schema }] }),
    });
  const res = await post(zodDraft7);
  expect(res.status).toBe(400);
  expect(await res.json()).toMatchObject({
    type: "error",
    error: {
      type: "invalid_request_error",
      message: "tools.1.custom.input_schema: JSON schema is invalid. It must match JSON Schema draft 2020-12 (https://json-schema.org/draft/2020-12). Learn more about tool use at https://docs.claude.com/en/docs/tool-use.",
    },
  });
  expect((await post({ type: "object", properties: { d: { anyOf: [{ type: "array", items: [{}] }] } } })).status).toBe(400);
  expect((await post(as2020)).status).toBe(200);
  expect((await post({ type: "object", properties: { items: { type: "array", items: { type: "string" } } } })).status).toBe(200);
});
