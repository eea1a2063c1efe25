/**
 * Whether a parsed JSON value is an object (not null, not an array): what every reader of a request,
 * snapshot or event body asks before reading its fields.
 *
 * @example isRecord({}) // true
 * @example isRecord([]) // false
 * @example isRecord(null) // false
 */
export const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
