/**
 * What the parse step asks of a request field before it reads it.
 *
 * `given`: whether it holds a value (the parse step reads null as no value, as left out).
 * @example given(null) // false
 * @example given(0) // true
 *
 * `isRecord`: whether it is a JSON object (not null, not an array).
 * @example isRecord({}) // true
 * @example isRecord([]) // false
 */
export const given = <T>(v: T): v is NonNullable<T> => v !== undefined && v !== null;

export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
