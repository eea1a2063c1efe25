/**
 * What Anthropic's strict tool use cannot express at all, so a tool whose schema has it is sent
 * without `strict` (tools.ts), as on a model without strict tool use: its schema then goes as given
 * and best-effort, where a strict one would be Anthropic's 400 naming `tools.N.custom`, which ends the
 * chain. Per Anthropic's documented limits
 * (https://platform.claude.com/docs/en/build-with-claude/structured-outputs#json-schema-limitations):
 * recursive schemas, an external `$ref`, an enum of objects or arrays, `allOf` with a `$ref`, and an
 * object that allows properties it does not list (`additionalProperties` absent, true or a schema:
 * strict mode needs it explicitly false, as OpenAI's strict mode does). A `$ref` that does not resolve
 * is treated like an external one. Constraints strict mode only lacks (minimum, minLength...) are not
 * here: strict-schema.ts moves them into the description.
 *
 * @example strictCannotExpress({ type: "object", properties: { kids: { type: "array", items: { $ref: "#" } } }, additionalProperties: false }) // "a recursive $ref ('#')"
 */
import { isSchemaObject, subschemasOf } from "./subschemas.ts";

/** The node a local `$ref` (`#` or a JSON pointer fragment, RFC 6901) points to in `root`, or undefined. */
function resolveLocal(root: unknown, ref: string): unknown {
  if (ref === "#") return root;
  if (!ref.startsWith("#/")) return undefined;
  let node: unknown = root;
  for (const raw of ref.slice(2).split("/")) {
    let key: string;
    try {
      key = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    } catch {
      return undefined;
    }
    if (Array.isArray(node) && /^\d+$/.test(key)) node = node[Number(key)];
    else if (isSchemaObject(node) && Object.hasOwn(node, key)) node = node[key];
    else return undefined;
  }
  return node;
}

/** Why this one node cannot be strict, looking at its own keywords only. */
function nodeProblem(node: Record<string, unknown>): string | null {
  const types = Array.isArray(node.type) ? node.type : [node.type];
  if (types.includes("object") && node.additionalProperties !== false) return "an object with additionalProperties other than false";
  if (Array.isArray(node.enum) && node.enum.some((value) => typeof value === "object" && value !== null)) return "an enum of objects or arrays";
  if (Array.isArray(node.allOf) && node.allOf.some((entry) => isSchemaObject(entry) && "$ref" in entry)) return "allOf with a $ref";
  if (node.anyOf !== undefined && node.oneOf !== undefined) return "anyOf beside oneOf";
  return null;
}

/** Why strict tool use cannot express this schema, or null when it can (once strict-schema.ts has moved what it lacks). */
export function strictCannotExpress(root: Record<string, unknown>): string | null {
  const onPath = new Set<object>();
  const done = new Set<object>();
  const visit = (node: Record<string, unknown>): string | null => {
    if (done.has(node)) return null;
    onPath.add(node);
    let problem = nodeProblem(node);
    if (!problem && node.$ref !== undefined) {
      const target = typeof node.$ref === "string" ? resolveLocal(root, node.$ref) : undefined;
      if (!isSchemaObject(target)) problem = `a $ref that is not to this schema (${JSON.stringify(node.$ref)})`;
      else if (onPath.has(target)) problem = `a recursive $ref (${JSON.stringify(node.$ref)})`;
      else problem = visit(target);
    }
    for (const child of subschemasOf(node)) {
      if (problem) break;
      problem = visit(child);
    }
    onPath.delete(node);
    done.add(node);
    return problem;
  };
  return visit(root);
}
