/**
 * Anthropic's JSON outputs as the fake takes them (https://platform.claude.com/docs/en/build-with-claude/structured-outputs):
 * `output_config.format: {type: "json_schema", schema}`, on Claude 4.5 and later by a current-form id
 * (the page lists Opus 4.6, Sonnet 4.6, Sonnet 4.5, Opus 4.5, Haiku 4.5; later models take it too).
 * Before, and on any other name (the fault-mode names), the field is refused as a model without it
 * refuses it: "output_config.format: Extra inputs are not permitted" (vercel/ai#14773). The schema is
 * held to what strict tool use takes (anthropic-strict-schema.ts: the same limits apply to both), in
 * those words under `output_config.format.schema: `. The answer is a text block holding JSON that
 * follows the schema (sampleJson), the user's text in its strings.
 *
 * @example sampleJson({ type: "object", properties: { a: { type: "string" }, n: { type: "integer" } } }, {}, "hi") // { a: "hi", n: 1 }
 */
import { generation } from "./anthropic-model-limits.ts";
import { strictSchemaProblem } from "./anthropic-strict-schema.ts";

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

/** The schema JSON outputs were asked to follow (null when none), or the message of the 400 refusing the field. */
export function readJsonOutput(body: Record<string, unknown>): Record<string, unknown> | null | string {
  const format = isObject(body.output_config) ? body.output_config.format : undefined;
  if (format == null) return null;
  const g = typeof body.model === "string" ? generation(body.model) : null;
  if (g === null || g < 45) return "output_config.format: Extra inputs are not permitted";
  if (!isObject(format)) return "output_config.format: Input should be a valid dictionary";
  if (format.type !== "json_schema") return `output_config.format.type: Input should be 'json_schema'`;
  if (!isObject(format.schema)) return "output_config.format.schema: Field required";
  const problem = strictSchemaProblem(format.schema);
  return problem ? `output_config.format.schema: ${problem}` : format.schema;
}

/** A value that follows `schema` (`root` resolves its local `$ref`s), with `text` for its strings. */
export function sampleJson(schema: Record<string, unknown>, root: Record<string, unknown>, text: string): unknown {
  if (typeof schema.$ref === "string") {
    const match = /^#\/(\$defs|definitions)\/(.+)$/.exec(schema.$ref);
    const table = match ? root[match[1]!] : undefined;
    const target = schema.$ref === "#" ? root : match && isObject(table) ? table[match[2]!] : undefined;
    return isObject(target) ? sampleJson(target, root, text) : null;
  }
  if ("const" in schema) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  const alternatives = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(alternatives) && isObject(alternatives[0])) return sampleJson(alternatives[0], root, text);
  const types = Array.isArray(schema.type) ? schema.type : [schema.type];
  switch (types.find((type) => type !== "null") ?? types[0]) {
    case "object": {
      const properties = isObject(schema.properties) ? schema.properties : {};
      return Object.fromEntries(Object.entries(properties).filter(([, s]) => isObject(s)).map(([name, s]) => [name, sampleJson(s as Record<string, unknown>, root, text)]));
    }
    case "array":
      return isObject(schema.items) ? [sampleJson(schema.items, root, text)] : [];
    case "string":
      return text;
    case "integer":
    case "number":
      return 1;
    case "boolean":
      return true;
    default:
      return null;
  }
}
