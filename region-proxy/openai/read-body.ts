/**
 * Reads a request body as JSON with a byte limit: Content-Length is checked first, and bytes are
 * counted while reading, because a chunked body has no Content-Length to trust.
 */
import type { GatewayError } from "../../shared/errors/openai-error.ts";

export type BodyResult = { ok: true; value: unknown } | { ok: false; error: GatewayError };

export async function readJsonBody(request: Request, maxBytes: number): Promise<BodyResult> {
  const tooLarge: BodyResult = { ok: false, error: { kind: "request_too_large", limitBytes: maxBytes } };
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > maxBytes) return tooLarge;
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (request.body) {
    const reader = request.body.getReader();
    try {
      while (true) {
        const { done, value } = await reader.read();
        if (done) break;
        size += value.byteLength;
        if (size > maxBytes) {
          await reader.cancel().catch(() => {});
          return tooLarge;
        }
        chunks.push(value);
      }
    } catch {
      // The client went away mid-body: nobody will read the answer, but it must not be a 500.
      return { ok: false, error: { kind: "invalid_json", message: "The request body could not be read completely." } };
    }
  }
  const text = new TextDecoder().decode(Buffer.concat(chunks));
  if (text.trim() === "") return { ok: false, error: { kind: "invalid_json", message: "The request body is empty; send a JSON object." } };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false, error: { kind: "invalid_json", message: "The request body is not valid JSON." } };
  }
}
