/**
 * Local `$ref` resolution for the Gemini schema translation: Gemini's Schema has no references, so a
 * `$ref` to the root's `$defs` or `definitions` (what Pydantic and the openai SDK's helpers emit for
 * nested models) is inlined by the caller. Anything else (a remote URL, `#` itself, a pointer into
 * another part of the document) cannot be inlined faithfully and is refused.
 *
 * @example resolveRef("#/$defs/Step", root) // { key: "$defs/Step", target: root.$defs.Step }
 */

/** A reference that resolves, or why it does not. */
export type ResolvedRef = { key: string; target: unknown } | { problem: string };

const LOCAL = /^#\/(\$defs|definitions)\/([^/]+)$/;

/** Decodes one JSON-pointer segment from a URI fragment (RFC 6901: %-escapes, then ~1 and ~0). */
function segment(raw: string): string | null {
  try {
    return decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
  } catch {
    return null;
  }
}

export function resolveRef(ref: unknown, root: unknown): ResolvedRef {
  if (typeof ref !== "string") return { problem: "$ref must be a string" };
  const match = LOCAL.exec(ref);
  if (!match) return { problem: `only references to #/$defs/<name> or #/definitions/<name> can be inlined, not '${ref}'` };
  const name = segment(match[2]!);
  const table = typeof root === "object" && root !== null ? (root as Record<string, unknown>)[match[1]!] : undefined;
  if (name === null || typeof table !== "object" || table === null || !Object.hasOwn(table, name)) return { problem: `'${ref}' does not resolve` };
  return { key: `${match[1]}/${name}`, target: (table as Record<string, unknown>)[name] };
}
