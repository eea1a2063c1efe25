/**
 * What the Anthropic fake refuses in the input_schema of a tool with `strict: true`, as Anthropic's
 * strict tool use refuses it (https://platform.claude.com/docs/en/build-with-claude/structured-outputs#json-schema-limitations),
 * in the words of its 400s: recursive schemas ("Too many recursive definitions in schema"), numeric
 * constraints and string lengths ("For 'integer' type, property 'minimum' is not supported", several
 * named as "properties maximum, minimum are not supported"), array constraints beyond minItems 0 or 1,
 * and an object whose additionalProperties is not explicitly false. The message is prefixed with
 * `tools.N.custom: ` by the caller. Written apart from the gateway's translation, so it checks it.
 *
 * @example strictSchemaProblem({ type: "object", properties: {}, additionalProperties: false }) // null
 */
import { schemaChildren } from "./schema-children.ts";

const NOT_SUPPORTED = ["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf", "minLength", "maxLength", "maxItems", "uniqueItems"];

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === "object" && value !== null && !Array.isArray(value);

function typeOf(node: Record<string, unknown>): string {
  const types = Array.isArray(node.type) ? node.type : [node.type];
  return String(types.find((t) => t !== "null") ?? types[0]);
}

/** Whether some `$ref` reaches, through definitions, the schema it is in: `#` itself, or a definition that refers back to itself. */
function recursive(root: Record<string, unknown>): boolean {
  const refsIn = (node: Record<string, unknown>): string[] => [...(typeof node.$ref === "string" ? [node.$ref] : []), ...schemaChildren(node).flatMap(refsIn)];
  const definition = (ref: string) => {
    const match = /^#\/(\$defs|definitions)\/([^/]+)$/.exec(ref);
    const table = match ? root[match[1]!] : undefined;
    return match && isObject(table) && isObject(table[match[2]!]) ? (table[match[2]!] as Record<string, unknown>) : undefined;
  };
  if (refsIn(root).includes("#")) return true;
  const reaches = (node: Record<string, unknown>, target: Record<string, unknown>, seen: Set<unknown>): boolean =>
    refsIn(node).some((ref) => {
      const next = definition(ref);
      if (!next || next === target) return next === target;
      if (seen.has(next)) return false;
      seen.add(next);
      return reaches(next, target, seen);
    });
  return [root.$defs, root.definitions].filter(isObject).flatMap((table) => Object.values(table).filter(isObject)).some((def) => reaches(def, def, new Set()));
}

function nodeProblem(node: Record<string, unknown>): string | null {
  const type = typeOf(node);
  const found = NOT_SUPPORTED.filter((key) => key in node).sort();
  if (found.length === 1) return `For '${type}' type, property '${found[0]}' is not supported`;
  if (found.length > 1) return `For '${type}' type, properties ${found.join(", ")} are not supported`;
  if ("minItems" in node && node.minItems !== 0 && node.minItems !== 1) return "For 'array' type, 'minItems' values other than 0 or 1 are not supported";
  const types = Array.isArray(node.type) ? node.type : [node.type];
  if (types.includes("object") && node.additionalProperties !== false) return "For 'object' type, 'additionalProperties' must be explicitly set to false";
  return null;
}

/** Why strict tool use refuses this input_schema, or null. */
export function strictSchemaProblem(schema: Record<string, unknown>): string | null {
  if (recursive(schema)) return "Too many recursive definitions in schema";
  const walk = (node: Record<string, unknown>): string | null => nodeProblem(node) ?? schemaChildren(node).reduce<string | null>((found, child) => found ?? walk(child), null);
  return walk(schema);
}
