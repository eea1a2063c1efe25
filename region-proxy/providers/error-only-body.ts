/**
 * A 2xx body that is only an error: `{"error": {...}}` with no answer beside it (no chat `choices`,
 * `candidates` or `content`, no embeddings `data` or `embeddings`). OpenRouter and some OpenAI-compatible servers send one once they have
 * committed to a 200; Gemini's and Anthropic's error objects have the same place. Judged as the HTTP
 * error it stands for, as the same object inside the vendor's stream is (its status read by the
 * adapter's errorStatus: Google's error model for Gemini, Anthropic's error types for Anthropic, else
 * OpenAI's, openai/stream-error.ts), it is a vendor error, not
 * an answer the gateway refused (which the vendor would have billed).
 *
 * @example errorOnlyBody({ error: { message: "overloaded", code: 502 } }) // { message: "overloaded", code: 502 }
 */
export function errorOnlyBody(body: unknown): unknown {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return undefined;
  const { error, choices, candidates, content, data, embeddings } = body as Record<string, unknown>;
  if (error === undefined || error === null || error === false) return undefined;
  const answered = choices !== undefined || candidates !== undefined || content !== undefined || data !== undefined || embeddings !== undefined;
  return answered ? undefined : error;
}
