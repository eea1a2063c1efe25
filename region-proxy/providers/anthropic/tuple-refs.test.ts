/**
 * Local $refs into draft-07 tuples. zod-to-json-schema's default $refStrategy ("root") writes a schema
 * used twice as a JSON pointer to where it first stood, which after a tuple is `#/.../items/0`.
 * tuple-items.ts moves that schema to `prefixItems/0` (and `additionalItems` to `items`), so the
 * pointers are moved with it: the reference still resolves to the same schema, and a strict tool
 * stays strict.
 */
import { expect, test } from "bun:test";
import { draft2020Tuples } from "./tuple-items.ts";
import { convertTools } from "./tools.ts";

/** The node a local JSON pointer names in `root`, or undefined. */
function resolve(root: unknown, ref: string): unknown {
  let node: any = root;
  for (const raw of ref.slice(2).split("/")) {
    const key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    if (node === null || typeof node !== "object" || !Object.hasOwn(node, key)) return undefined;
    node = node[key];
  }
  return node;
}

const name = { type: "string", minLength: 1 };
/** As zod-to-json-schema writes z.object({ pair: z.tuple([name, z.number().int()]), first: name }). */
const parameters = {
  type: "object",
  properties: {
    pair: { type: "array", items: [name, { type: "integer" }], additionalItems: false, minItems: 2, maxItems: 2 },
    first: { $ref: "#/properties/pair/items/0" },
  },
  required: ["pair", "first"],
  additionalProperties: false,
};

test("a $ref into a tuple's items is moved to prefixItems and resolves to the same schema", () => {
  const sent = draft2020Tuples(parameters, "p") as any;
  expect(sent.properties.first).toEqual({ $ref: "#/properties/pair/prefixItems/0" });
  expect(resolve(sent, sent.properties.first.$ref)).toEqual(name);
});

test("on a strict-tools deployment the schema stays strict (neither recursive nor open)", () => {
  const { tools } = convertTools([{ type: "function", function: { name: "f", strict: true, parameters } }], undefined, undefined, undefined, true);
  expect(tools![0]!.strict).toBe(true);
});

test("nested tuples, additionalItems, $defs, escaped names and refs from anywhere: each ref resolves to what it named", () => {
  const inner = { type: "array", items: [{ type: "boolean" }, { type: "null" }] };
  const rest = { type: "number", minimum: 0 };
  const schema = {
    type: "object",
    properties: {
      "a/b": { type: "array", items: [{ type: "string" }, inner], additionalItems: rest },
      deep: { $ref: "#/properties/a~1b/items/1/items/0" },
      tail: { $ref: "#/properties/a~1b/additionalItems" },
      tuple: { $ref: "#/$defs/T/items/1" },
      whole: { $ref: "#/properties/a~1b" },
      list: { type: "array", items: { $ref: "#/properties/a%2Fb/items/0" } },
    },
    $defs: { T: { type: "array", items: [{ type: "string" }, { type: "integer" }] } },
  };
  const sent = draft2020Tuples(schema, "p") as any;
  expect(sent.properties.deep.$ref).toBe("#/properties/a~1b/prefixItems/1/prefixItems/0");
  expect(sent.properties.tail.$ref).toBe("#/properties/a~1b/items");
  expect(sent.properties.tuple.$ref).toBe("#/$defs/T/prefixItems/1");
  expect(sent.properties.whole.$ref).toBe("#/properties/a~1b");
  expect(sent.properties.list.items.$ref).toBe("#/properties/a%2Fb/prefixItems/0");
  expect(resolve(sent, sent.properties.deep.$ref)).toEqual({ type: "boolean" });
  expect(resolve(sent, sent.properties.tail.$ref)).toEqual(rest);
  expect(resolve(sent, sent.properties.tuple.$ref)).toEqual({ type: "integer" });
});

test("refs that name no tuple are left as they are: a property named items, a single-schema items, #", () => {
  const schema = {
    type: "object",
    properties: {
      items: { type: "array", items: { type: "string" } },
      a: { $ref: "#/properties/items/items" },
      b: { $ref: "#" },
      c: { $ref: "https://example.com/s.json#/items/0" },
    },
  };
  expect(draft2020Tuples(schema, "p")).toEqual(schema);
});
