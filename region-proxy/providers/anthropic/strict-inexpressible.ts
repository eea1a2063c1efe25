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
export function resolveLocal(root: unknown, ref: string): unknown {
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

/**
 * Why strict tool use cannot express this schema, or null when it can (once strict-schema.ts has moved
 * what it lacks). A depth-first walk through subschemas and local `$ref`s that keeps its own stack: a
 * chain of refs makes a path as long as the chain, however shallow the JSON, and a recursive walk
 * would overflow the call stack on a long one. Each node is walked once.
 */
export function strictCannotExpress(root: Record<string, unknown>): string | null {
  /** The nodes on the current path: a $ref to one of them is recursion. */
  const onPath = new Set<object>();
  const done = new Set<object>();
  const stack: Array<{ node: Record<string, unknown>; next: Record<string, unknown>[]; at: number }> = [];
  /** Judges a node on reaching it and, when it passes, puts it on the path with what to walk next: its $ref's target, then its subschemas. */
  const enter = (node: Record<string, unknown>): string | null => {
    if (done.has(node)) return null;
    onPath.add(node);
    const problem = nodeProblem(node);
    if (problem) return problem;
    const next: Record<string, unknown>[] = [];
    if (node.$ref !== undefined) {
      const target = typeof node.$ref === "string" ? resolveLocal(root, node.$ref) : undefined;
      if (!isSchemaObject(target)) return `a $ref that is not to this schema (${JSON.stringify(node.$ref)})`;
      if (onPath.has(target)) return `a recursive $ref (${JSON.stringify(node.$ref)})`;
      next.push(target);
    }
    next.push(...subschemasOf(node));
    stack.push({ node, next, at: 0 });
    return null;
  };
  let problem = enter(root);
  while (problem === null && stack.length > 0) {
    const top = stack[stack.length - 1]!;
    if (top.at < top.next.length) problem = enter(top.next[top.at++]!);
    else {
      stack.pop();
      onPath.delete(top.node);
      done.add(top.node);
    }
  }
  return problem;
}
