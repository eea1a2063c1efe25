/**
 * Whether a request field holds a value: the parse step reads null as no value, as left out (whether
 * it is a JSON object: shared/is-record.ts).
 * @example given(null) // false
 * @example given(0) // true
 */
export const given = <T>(v: T): v is NonNullable<T> => v !== undefined && v !== null;
