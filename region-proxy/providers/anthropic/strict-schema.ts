/**
 * A tool's input_schema as Anthropic's strict tool use takes it, done as Anthropic's own SDKs do it
 * (transform_schema in Python, transformJSONSchema in TypeScript; "How SDK transformation works" in
 * https://platform.claude.com/docs/en/build-with-claude/structured-outputs): keywords strict mode does
 * not take (minimum, maximum, exclusiveMinimum/Maximum, multipleOf, minLength, maxLength, minItems
 * above 1, maxItems, uniqueItems, a format outside its list, and any keyword it does not list) are
 * removed from that schema and written into its description as `{minimum: 0, maximum: 150}` (after the
 * description it had, if any, ../schema-description.ts), so the model still reads them; this is done at every level. Strict mode
 * refuses those keywords with a 400 naming `tools.N.custom`, and zod 4 writes minimum/maximum for every
 * .int(), so without this nearly every zodResponseFormat with an integer would fail. `pattern` is
 * described too, as the SDKs do: strict mode takes only some regular expressions (no lookaround,
 * backreferences or word boundaries) and answers the others with a 400. `oneOf` goes as `anyOf` and
 * `$schema` is dropped, as the SDKs do.
 *
 * Where the SDKs would change what a schema means, this does not: they close every object
 * (additionalProperties: false), which turns a record into an always-empty object. A schema strict mode
 * cannot express at all (strict-inexpressible.ts: recursion, objects open to unlisted properties...)
 * gives null instead, and the caller sends that tool without strict, its schema as given and
 * best-effort, rather than refusing a request OpenAI would take.
 *
 * @example strictInputSchema({ type: "object", properties: { n: { type: "integer", minimum: 0 } }, additionalProperties: false }) // { type: "object", properties: { n: { type: "integer", description: "{minimum: 0}" } }, additionalProperties: false }
 */
import { describeKeywords } from "../schema-description.ts";
import { strictCannotExpress } from "./strict-inexpressible.ts";
import { isSchemaObject } from "./subschemas.ts";

/** Keywords strict mode takes as they are (additionalProperties: only false, which strict-inexpressible.ts ensures). */
const KEPT = new Set(["type", "enum", "const", "description", "title", "default", "required", "$ref", "additionalProperties"]);
/** Keywords holding one schema, a list of schemas, or named schemas, that strict mode takes: transformed in turn. */
const NAMED_SCHEMAS = new Set(["properties", "$defs", "definitions"]);
const SCHEMA_LISTS = new Set(["anyOf", "allOf", "prefixItems"]);
/** The string formats strict mode supports. */
const FORMATS = new Set(["date-time", "time", "date", "duration", "email", "hostname", "uri", "ipv4", "ipv6", "uuid"]);

function toStrict(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toStrict);
  if (!isSchemaObject(node)) return node;
  const kept: Record<string, unknown> = {};
  const described: Array<[string, unknown]> = [];
  for (const [key, value] of Object.entries(node)) {
    if (key === "$schema") continue;
    if (KEPT.has(key)) kept[key] = value;
    else if (NAMED_SCHEMAS.has(key) && isSchemaObject(value)) kept[key] = Object.fromEntries(Object.entries(value).map(([name, schema]) => [name, toStrict(schema)]));
    else if (SCHEMA_LISTS.has(key) || key === "items") kept[key] = toStrict(value);
    else if (key === "oneOf") kept.anyOf = toStrict(value);
    else if ((key === "format" && FORMATS.has(value as string)) || (key === "minItems" && (value === 0 || value === 1))) kept[key] = value;
    else described.push([key, value]);
  }
  return describeKeywords(kept, described);
}

/** The schema to send with `strict: true`, or null when strict mode cannot express it (send it without strict). */
export function strictInputSchema(schema: Record<string, unknown>): Record<string, unknown> | null {
  return strictCannotExpress(schema) === null ? strictFormOf(schema) : null;
}

/** `schema`, which strict mode can express (strictCannotExpress gave null for it), as strict mode takes it. */
export function strictFormOf(schema: Record<string, unknown>): Record<string, unknown> {
  return toStrict(schema) as Record<string, unknown>;
}
