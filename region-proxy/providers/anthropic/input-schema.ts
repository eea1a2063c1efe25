/**
 * A schema as Anthropic takes a tool's input_schema: `type: "object"` at the root (without it,
 * "input_schema.type: Field required") and no anyOf, oneOf or allOf at the top level ("input_schema
 * does not support oneOf, allOf, or anyOf at the top level"). OpenAI takes both, so a client's tool
 * parameters or response_format schema (sent as the forced JSON tool's input_schema, tools.ts) can be
 * either; sent as given, Anthropic's 400 would name `tools.0` and, for response_format, the gateway's
 * hidden tool. Such a schema is refused before the call, naming the client's field (`param`).
 *
 * One shape is translated instead: a root that is only a `$ref` to one of the schema's own
 * `$defs`/`definitions` (as zod-to-json-schema writes a named schema). The definition is inlined one
 * level, keeping the definitions for refs nested in it, so the schema means what it meant. Only
 * annotations may stand beside that `$ref`; a sibling that constrains the root would have to be merged
 * with the definition, which could change the meaning, so that root is refused like any other.
 *
 * Below the root, draft-07 tuples (`items: [..]`, `additionalItems`) are rewritten as draft 2020-12,
 * which Anthropic validates every input_schema against (tuple-items.ts).
 *
 * @example anthropicInputSchema({ $ref: "#/$defs/A", $defs: { A: { type: "object" } } }, "tools[0].function.parameters") // { type: "object", $defs: { A: { type: "object" } } }
 * @example anthropicInputSchema({ anyOf: [{ type: "object" }] }, "tools[0].function.parameters") // throws UnsupportedParameterError
 */
import { UnsupportedParameterError } from "../unsupported-parameter.ts";
import { draft2020Tuples } from "./tuple-items.ts";
import { isRecord } from "../../../shared/is-record.ts";

const ALTERNATIVES = ["anyOf", "oneOf", "allOf"];
/** What may stand beside a root `$ref` that is inlined: keywords that constrain nothing. */
const BESIDE_ROOT_REF = new Set(["$ref", "$defs", "definitions", "$schema", "title", "description"]);
/** A pointer to one definition by a plain name: no JSON-pointer escapes or percent-encoding to decode. */
const OWN_DEFINITION = /^#\/(\$defs|definitions)\/([^/~%]+)$/;


/** The schema with a root `$ref` to its own definition inlined, or the schema as given. */
function inlineRootRef(schema: unknown): unknown {
  if (!isRecord(schema) || typeof schema.$ref !== "string") return schema;
  const pointer = OWN_DEFINITION.exec(schema.$ref);
  if (!pointer || Object.keys(schema).some((key) => !BESIDE_ROOT_REF.has(key))) return schema;
  const definitions = schema[pointer[1]!];
  if (!isRecord(definitions) || !Object.hasOwn(definitions, pointer[2]!)) return schema;
  const target = definitions[pointer[2]!];
  // A definition that is itself a ref, carries its own definitions or changes the base URI ($id)
  // would not mean the same one level up: left as given, and refused below.
  if (!isRecord(target) || ["$ref", "$defs", "definitions", "$id"].some((key) => key in target)) return schema;
  const { $ref: _inlined, ...rest } = schema;
  return { ...rest, ...target };
}

export function anthropicInputSchema(schema: unknown, param: string): Record<string, unknown> {
  const root = inlineRootRef(schema);
  if (!isRecord(root) || root.type !== "object" || ALTERNATIVES.some((key) => root[key] !== undefined)) {
    throw new UnsupportedParameterError(
      param,
      `This provider needs an object schema at the root of ${param}: 'type': 'object', with no anyOf, oneOf or allOf at the top level (alternatives may go inside a property).`,
    );
  }
  return draft2020Tuples(root, param);
}
