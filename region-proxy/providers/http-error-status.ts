/**
 * An HTTP error status (400-599) given as a number or a string of digits, else null: how an error
 * object inside a 200 stream names the HTTP error it stands for (an OpenAI-compatible server's numeric
 * `code`, Azure's `status: 400` or `code: "429"`, Google's `code`; openai/stream-error.ts,
 * gemini/stream.ts).
 *
 * @example httpErrorStatus("429") // 429; httpErrorStatus(8) // null (a gRPC code, not an HTTP status)
 */
export function httpErrorStatus(value: unknown): number | null {
  const n = typeof value === "number" ? value : typeof value === "string" && /^\d{3}$/.test(value) ? Number(value) : NaN;
  return Number.isInteger(n) && n >= 400 && n <= 599 ? n : null;
}
