/**
 * JSON Schema's exclusive bounds for Gemini, whose Schema has `minimum` and `maximum` only
 * (https://ai.google.dev/api/caching#Schema): on an integer, `exclusiveMinimum: n` allows exactly what
 * `minimum: floor(n) + 1` does and `exclusiveMaximum: n` what `maximum: ceil(n) - 1` does, so they
 * become those (the stricter of it and a `minimum`/`maximum` already there). On any other type there is
 * no exact equivalent: the caller refuses.
 *
 * @example inclusiveBounds({ type: "integer" }, { exclusiveMinimum: 0 }) // { type: "integer", minimum: 1 }
 */

export interface ExclusiveBounds {
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
}

/** `schema` (converted, one `type`) with its exclusive bounds as inclusive ones, or null when it is not an integer. */
export function inclusiveBounds(schema: Record<string, unknown>, bounds: ExclusiveBounds): Record<string, unknown> | null {
  if (schema.type !== "integer") return null;
  const out = { ...schema };
  if (bounds.exclusiveMinimum !== undefined) {
    const bound = Math.floor(bounds.exclusiveMinimum) + 1;
    out.minimum = typeof out.minimum === "number" ? Math.max(out.minimum, bound) : bound;
  }
  if (bounds.exclusiveMaximum !== undefined) {
    const bound = Math.ceil(bounds.exclusiveMaximum) - 1;
    out.maximum = typeof out.maximum === "number" ? Math.min(out.maximum, bound) : bound;
  }
  return out;
}
