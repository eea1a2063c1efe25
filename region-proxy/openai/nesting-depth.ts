/**
 * How deep a parsed JSON body nests, bounded: `JSON.parse` accepts a 100,000-deep array, but every
 * later step that walks the body (serializing it for the vendor, translating a tool's schema) recurses
 * and would overflow the stack. Walked iteratively over the parsed values, so its cost follows the
 * number of objects and arrays, not the length of the prompt text.
 */

/** Deeper than any real request: a tool's JSON schema nests a few dozen levels at most. */
export const MAX_JSON_DEPTH = 128;

/**
 * The top-level field under which `value` nests deeper than `maxDepth` (the body itself counts as
 * level 1), or null when it does not.
 *
 * @example tooDeepField({ model: "m", x: [[[1]]] }, 3) // "x"
 */
export function tooDeepField(value: unknown, maxDepth = MAX_JSON_DEPTH): string | null {
  if (typeof value !== "object" || value === null) return null;
  const stack: { value: object; depth: number; field: string }[] = [];
  for (const [field, child] of Object.entries(value)) if (typeof child === "object" && child !== null) stack.push({ value: child, depth: 2, field });
  while (stack.length > 0) {
    const { value: node, depth, field } = stack.pop()!;
    if (depth > maxDepth) return field;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (typeof child === "object" && child !== null) stack.push({ value: child, depth: depth + 1, field });
    }
  }
  return null;
}
