/**
 * Whether a request field holds a value: the parse step reads null as no value, as left out.
 *
 * @example given(null) // false
 * @example given(0) // true
 */
export const given = (v: unknown): boolean => v !== undefined && v !== null;
