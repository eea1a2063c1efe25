/**
 * How deep a parsed JSON body nests, bounded: `JSON.parse` accepts a 100,000-deep array, but every
 * later step that walks the body (serializing it for the vendor, translating a tool's schema) recurses
 * and would overflow the stack. Walked over the parsed values, so its cost follows the number of
 * objects and arrays, not the length of the prompt text (~0.1 us for a short chat request).
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
  for (const field in value) {
    const child = (value as Record<string, unknown>)[field];
    if (typeof child === "object" && child !== null && nestsDeeper(child, 2, maxDepth)) return field;
  }
  return null;
}

/** Whether `node`, at level `depth`, nests past `maxDepth`: recursion that stops at the bound, so it never goes deeper than maxDepth calls. */
function nestsDeeper(node: object, depth: number, maxDepth: number): boolean {
  if (depth > maxDepth) return true;
  if (Array.isArray(node)) {
    for (const child of node) if (typeof child === "object" && child !== null && nestsDeeper(child, depth + 1, maxDepth)) return true;
    return false;
  }
  for (const key in node) {
    const child = (node as Record<string, unknown>)[key];
    if (typeof child === "object" && child !== null && nestsDeeper(child, depth + 1, maxDepth)) return true;
  }
  return false;
}
