/**
 * A strict tool's schema as Anthropic's strict tool use takes it. Anthropic refuses, for a tool with
 * `strict: true`, numeric constraints, string lengths, array constraints beyond minItems 0 or 1, an
 * object without `additionalProperties: false` and recursive schemas, with a 400 naming `tools.N.custom`
 * (https://platform.claude.com/docs/en/build-with-claude/structured-outputs#json-schema-limitations).
 * zod 4 writes minimum/maximum for every .int(), so the openai SDK's zodResponseFormat and zodFunction
 * (always strict) hit it. The schemas below are literally what those helpers emit. Through the proxy to
 * the fake Anthropic on a strict-tools deployment, read through the official SDK, then the pure
 * translation, then the fake's own refusals.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startFakeAnthropic } from "../../../test/fakes/anthropic.ts";
import { REGION, waitFor } from "../../testing/proxy-fixture.ts";
import { sendChat, startVendorBehindProxy, type VendorBehindProxy } from "../../testing/vendor-behind-proxy.ts";
import { strictInputSchema } from "./strict-schema.ts";
import { JSON_TOOL_NAME, STRICT_TOOLS_FLAG } from "./tools.ts";

let vp: VendorBehindProxy;
beforeAll(async () => {
  vp = await startVendorBehindProxy({ provider: "anthropic", start: startFakeAnthropic }, { claude: "claude-fake" });
  await vp.fx.publish(
    vp.fx.snapshot(2, (s) => {
      s.deployments.dep_claude = { id: "dep_claude", provider: "anthropic", baseUrl: vp.fake.url, model: "claude-fake", region: REGION, credentialRef: "env:VENDOR_KEY", flags: [STRICT_TOOLS_FLAG] };
      s.aliases.claude = { name: "claude", chain: ["dep_claude"] };
    }),
  );
  await waitFor(() => vp.proxy.snapshotVersion() === 2, "the strict-tools deployment loaded");
});
afterAll(() => vp?.stop());

const DRAFT_07 = "http://json-schema.org/draft-07/schema#";
const MAX_SAFE = 9007199254740991;
const EMAIL = "^(?:[A-Za-z0-9_'+\\-]+\\.)*[A-Za-z0-9_'+\\-]*[A-Za-z0-9_+-]@(?:[A-Za-z0-9][A-Za-z0-9\\-]*\\.)+[A-Za-z]{2,}$";

/** zodResponseFormat(z.object({ name: z.string().min(1), email: z.email(), age: z.int().min(0).max(150), tags: z.array(z.string()).min(2).max(5), kind: z.discriminatedUnion(..) }), "person"), zod 4. */
const person = {
  $schema: DRAFT_07,
  type: "object",
  properties: {
    name: { type: "string", minLength: 1 },
    email: { type: "string", format: "email", pattern: EMAIL },
    age: { type: "integer", minimum: 0, maximum: 150 },
    tags: { minItems: 2, maxItems: 5, type: "array", items: { type: "string" } },
    kind: {
      anyOf: [
        { type: "object", properties: { t: { type: "string", const: "a" } }, required: ["t"], additionalProperties: false },
        { type: "object", properties: { t: { type: "string", const: "b" }, n: { type: "number", exclusiveMinimum: 0 } }, required: ["t", "n"], additionalProperties: false },
      ],
    },
    maybe: { type: ["string", "null"] },
  },
  required: ["name", "email", "age", "tags", "kind", "maybe"],
  additionalProperties: false,
};
/** What Anthropic's SDK sends for it with strict: the constraints moved into each property's description. */
const strictPerson = {
  type: "object",
  properties: {
    name: { type: "string", description: "{minLength: 1}" },
    email: { type: "string", format: "email", description: `{pattern: ${JSON.stringify(EMAIL)}}` },
    age: { type: "integer", description: "{minimum: 0, maximum: 150}" },
    tags: { type: "array", items: { type: "string" }, description: "{minItems: 2, maxItems: 5}" },
    kind: {
      anyOf: [
        person.properties.kind.anyOf[0],
        { type: "object", properties: { t: { type: "string", const: "b" }, n: { type: "number", description: "{exclusiveMinimum: 0}" } }, required: ["t", "n"], additionalProperties: false },
      ],
    },
    maybe: { type: ["string", "null"] },
  },
  required: ["name", "email", "age", "tags", "kind", "maybe"],
  additionalProperties: false,
};

/** zodFunction({ name: "pay", parameters: z.object({ cents: z.int().positive().describe("Amount in cents") }) }), zod 4. */
const pay = {
  type: "function" as const,
  function: {
    name: "pay",
    strict: true,
    parameters: {
      $schema: DRAFT_07,
      type: "object",
      properties: { cents: { type: "integer", exclusiveMinimum: 0, maximum: MAX_SAFE, description: "Amount in cents" } },
      required: ["cents"],
      additionalProperties: false,
    },
  },
};

/** zodResponseFormat of a recursive z.object (a getter returning z.array(Tree)), zod 4: `$ref: "#"`. */
const tree = {
  $schema: DRAFT_07,
  type: "object",
  properties: { name: { type: "string", minLength: 1 }, children: { type: "array", items: { $ref: "#" } } },
  required: ["name", "children"],
  additionalProperties: false,
};

const UNSUPPORTED = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength", "maxItems", "uniqueItems", "pattern"];
/** Every unsupported keyword left anywhere in a schema (property names are not keywords). */
function unsupportedKeywords(schema: unknown, out: string[] = []): string[] {
  if (Array.isArray(schema)) for (const s of schema) unsupportedKeywords(s, out);
  else if (schema && typeof schema === "object") {
    for (const [key, value] of Object.entries(schema)) {
      if (key === "properties" && value && typeof value === "object") for (const s of Object.values(value)) unsupportedKeywords(s, out);
      else if (key === "description" || key === "enum" || key === "const") continue;
      else {
        if (UNSUPPORTED.includes(key) || (key === "minItems" && value !== 0 && value !== 1)) out.push(key);
        unsupportedKeywords(value, out);
      }
    }
  }
  return out;
}

const messages = [{ role: "user" as const, content: "go" }];
const personFormat = { type: "json_schema", json_schema: { name: "person", strict: true, schema: person } };

describe("anthropic strict tools: constraints strict mode refuses go into the description", () => {
  test("zodResponseFormat with .int().min().max(), .min(1), .email(), array .min(2).max(5): the JSON tool stays strict, its constraints described, and the client gets the JSON (streamed)", async () => {
    const stream = await vp.client.chat.completions.create({ model: "claude", messages, response_format: personFormat as never, stream: true });
    let content = "";
    for await (const chunk of stream) content += chunk.choices[0]?.delta.content ?? "";
    expect(JSON.parse(content)).toEqual({ echo: "go" });
    const sent = (vp.fake.lastRequest()!.body as { tools: Array<Record<string, unknown>> }).tools;
    expect(sent).toEqual([{ name: JSON_TOOL_NAME, description: "Respond with the person object.", strict: true, input_schema: strictPerson }]);
  });

  test("zodFunction with .int().positive() and a description: the tool stays strict, the bounds appended to its description, and the call comes back", async () => {
    const answer = await vp.client.chat.completions.create({ model: "claude", messages, tools: [pay], tool_choice: "required" });
    expect(answer.choices[0]!.message.tool_calls?.[0]).toMatchObject({ function: { name: "pay" } });
    const [tool] = (vp.fake.lastRequest()!.body as { tools: Array<Record<string, unknown>> }).tools;
    expect(tool).toEqual({
      name: "pay",
      strict: true,
      input_schema: {
        type: "object",
        properties: { cents: { type: "integer", description: `Amount in cents\n\n{exclusiveMinimum: 0, maximum: ${MAX_SAFE}}` } },
        required: ["cents"],
        additionalProperties: false,
      },
    });
  });

  test("constraints inside $defs, definitions, items, prefixItems and allOf are moved too; nothing strict refuses is left", async () => {
    const parameters = {
      type: "object",
      properties: {
        a: { $ref: "#/$defs/Positive" },
        b: { $ref: "#/definitions/Short" },
        c: { type: "array", items: { type: "number", multipleOf: 0.5 }, uniqueItems: true },
        d: { type: "array", prefixItems: [{ type: "integer", exclusiveMaximum: 10 }], minItems: 1 },
        e: { allOf: [{ type: "string", maxLength: 3 }] },
        minimum: { type: "string" },
      },
      required: ["a"],
      additionalProperties: false,
      $defs: { Positive: { type: "integer", minimum: 1 } },
      definitions: { Short: { type: "string", maxLength: 8, format: "hex-color" } },
    };
    const { refused, sent } = await sendChat(vp, { model: "claude", messages, tools: [{ type: "function", function: { name: "f", strict: true, parameters } }] });
    expect(refused).toBe(false);
    expect(sent.tools[0].strict).toBe(true);
    expect(unsupportedKeywords(sent.tools[0].input_schema)).toEqual([]);
    expect(sent.tools[0].input_schema.properties.minimum).toEqual({ type: "string" });
    expect(sent.tools[0].input_schema.definitions.Short).toEqual({ type: "string", description: '{maxLength: 8, format: "hex-color"}' });
    expect(sent.tools[0].input_schema.properties.d).toEqual({ type: "array", prefixItems: [{ type: "integer", description: "{exclusiveMaximum: 10}" }], minItems: 1 });
  });

  test("a schema already within strict mode's limits is sent as given", async () => {
    const schema = { type: "object", properties: { tags: { type: "array", items: { type: "string", format: "uuid" }, minItems: 1 } }, required: ["tags"], additionalProperties: false };
    const { sent } = await sendChat(vp, { model: "claude", messages, tools: [{ type: "function", function: { name: "f", strict: true, parameters: schema } }] });
    expect(sent.tools[0]).toEqual({ name: "f", strict: true, input_schema: schema });
  });
});

describe("anthropic strict tools: a schema strict mode cannot express is sent without strict", () => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ["recursive ($ref: '#', as zod writes a recursive object)", tree],
    ["recursive through $defs", { type: "object", properties: { n: { $ref: "#/$defs/Node" } }, additionalProperties: false, $defs: { Node: { type: "object", properties: { next: { $ref: "#/$defs/Node" } }, additionalProperties: false } } }],
    ["an object open to other properties (additionalProperties absent)", { type: "object", properties: { meta: { type: "object", properties: { a: { type: "string" } } } }, additionalProperties: false }],
    ["a record (additionalProperties a schema)", { type: "object", properties: { m: { type: "object", additionalProperties: { type: "integer", minimum: 0 } } }, additionalProperties: false }],
    ["additionalProperties true", { type: "object", properties: {}, additionalProperties: true }],
    ["an enum of objects", { type: "object", properties: { p: { enum: [{ x: 1 }, { x: 2 }] } }, additionalProperties: false }],
    ["allOf with a $ref", { type: "object", properties: { p: { allOf: [{ $ref: "#/$defs/A" }] } }, additionalProperties: false, $defs: { A: { type: "string" } } }],
    ["an external $ref", { type: "object", properties: { p: { $ref: "https://example.com/p.json" } }, additionalProperties: false }],
  ];
  for (const [name, schema] of cases) {
    test(`${name}: the tool goes without strict, its schema as given, and is answered`, async () => {
      const { refused, sent } = await sendChat(vp, { model: "claude", messages, tools: [{ type: "function", function: { name: "f", strict: true, parameters: schema } }] });
      expect(refused).toBe(false);
      expect(sent.tools[0]).toEqual({ name: "f", input_schema: schema });
    });
  }

  test("a recursive zodResponseFormat: the JSON tool goes without strict and the client gets its JSON (streamed); a strict tool beside it keeps strict", async () => {
    const stream = await vp.client.chat.completions.create({
      model: "claude",
      messages,
      tools: [pay],
      response_format: { type: "json_schema", json_schema: { name: "tree", strict: true, schema: tree } },
      stream: true,
    });
    for await (const _ of stream);
    const sent = (vp.fake.lastRequest()!.body as { tools: Array<Record<string, unknown>> }).tools;
    expect(sent.map((t) => [t.name, t.strict ?? null])).toEqual([["pay", true], [JSON_TOOL_NAME, null]]);
    expect(sent[1]!.input_schema).toEqual(tree);
  });
});

describe("anthropic strict tools: translation", () => {
  test("oneOf becomes anyOf, as Anthropic's SDK sends it; a format strict mode lacks is described; minItems 0 and 1 stay", () => {
    expect(
      strictInputSchema({
        type: "object",
        properties: {
          u: { oneOf: [{ type: "string", format: "uri" }, { type: "string", format: "ipv4-cidr" }] },
          l: { type: "array", items: { type: "integer" }, minItems: 0 },
        },
        additionalProperties: false,
      }),
    ).toEqual({
      type: "object",
      properties: {
        u: { anyOf: [{ type: "string", format: "uri" }, { type: "string", description: '{format: "ipv4-cidr"}' }] },
        l: { type: "array", items: { type: "integer" }, minItems: 0 },
      },
      additionalProperties: false,
    });
  });

  test("keywords strict mode does not list go into the description; annotations it takes stay", () => {
    expect(
      strictInputSchema({
        type: "object",
        title: "T",
        description: "d",
        properties: { s: { type: "string", default: "x", enum: ["x", "y"], examples: ["x"] }, o: { type: "object", properties: {}, additionalProperties: false, minProperties: 1 } },
        additionalProperties: false,
      }),
    ).toEqual({
      type: "object",
      title: "T",
      description: "d",
      properties: { s: { type: "string", default: "x", enum: ["x", "y"], description: '{examples: ["x"]}' }, o: { type: "object", properties: {}, additionalProperties: false, description: "{minProperties: 1}" } },
      additionalProperties: false,
    });
  });

  test("a definition used twice is not recursion", () => {
    const schema = { type: "object", properties: { a: { $ref: "#/$defs/S" }, b: { $ref: "#/$defs/S" } }, additionalProperties: false, $defs: { S: { type: "string" } } };
    expect(strictInputSchema(schema)).toEqual(schema);
  });

  test("recursion, open objects, complex enums, allOf with $ref, external and dangling $refs: null (not expressible)", () => {
    expect(strictInputSchema(tree)).toBeNull();
    expect(strictInputSchema({ type: "object", properties: {} })).toBeNull();
    expect(strictInputSchema({ type: ["object", "null"], properties: {}, additionalProperties: {} })).toBeNull();
    expect(strictInputSchema({ type: "object", properties: { e: { enum: [[1]] } }, additionalProperties: false })).toBeNull();
    expect(strictInputSchema({ type: "object", properties: { p: { $ref: "#/$defs/missing" } }, additionalProperties: false })).toBeNull();
    expect(strictInputSchema({ type: "object", properties: { p: { $ref: "other.json#/x" } }, additionalProperties: false })).toBeNull();
  });
});

describe("the fake Anthropic refuses, for a strict tool, what strict mode does not support", () => {
  const post = (tool: Record<string, unknown>) =>
    fetch(`${vp.fake.url}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": "vendor-fake-key", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ model: "claude-fake", max_tokens: 5, messages: [{ role: "user", content: "hi" }], tools: [{ name: "other", input_schema: { type: "object" } }, tool] }),
    });
  const refusal = async (tool: Record<string, unknown>) => {
    const res = await post(tool);
    return res.status === 200 ? 200 : ((await res.json()) as { error: { type: string; message: string } }).error;
  };
  const object = (properties: Record<string, unknown>) => ({ type: "object", properties, additionalProperties: false });

  test("numeric and string constraints, in Anthropic's words; the same tool without strict is taken", async () => {
    expect(await refusal({ name: "f", strict: true, input_schema: object({ n: { type: "integer", minimum: 0 } }) })).toEqual({
      type: "invalid_request_error",
      message: "tools.1.custom: For 'integer' type, property 'minimum' is not supported",
    });
    expect(await refusal({ name: "f", strict: true, input_schema: object({ n: { type: "integer", minimum: 0, maximum: 9 } }) })).toEqual({
      type: "invalid_request_error",
      message: "tools.1.custom: For 'integer' type, properties maximum, minimum are not supported",
    });
    expect(await refusal({ name: "f", strict: true, input_schema: object({ s: { type: "string", minLength: 1 } }) })).toMatchObject({ message: "tools.1.custom: For 'string' type, property 'minLength' is not supported" });
    expect(await refusal({ name: "f", input_schema: object({ n: { type: "integer", minimum: 0 } }) })).toBe(200);
  });

  test("array constraints beyond minItems 0 or 1, objects without additionalProperties false, recursion", async () => {
    expect(await refusal({ name: "f", strict: true, input_schema: object({ l: { type: "array", items: { type: "string" }, minItems: 2 } }) })).toMatchObject({
      message: "tools.1.custom: For 'array' type, 'minItems' values other than 0 or 1 are not supported",
    });
    expect(await refusal({ name: "f", strict: true, input_schema: object({ l: { type: "array", maxItems: 3 } }) })).toMatchObject({ message: "tools.1.custom: For 'array' type, property 'maxItems' is not supported" });
    expect(await refusal({ name: "f", strict: true, input_schema: { type: "object", properties: {} } })).toMatchObject({
      message: "tools.1.custom: For 'object' type, 'additionalProperties' must be explicitly set to false",
    });
    expect(await refusal({ name: "f", strict: true, input_schema: tree })).toMatchObject({ message: "tools.1.custom: Too many recursive definitions in schema" });
    expect(await refusal({ name: "f", strict: true, input_schema: object({ minimum: { type: "string" }, l: { type: "array", minItems: 1 } }) })).toBe(200);
  });
});
