/**
 * Server-Sent Events framing for the client side of a stream, OpenAI style:
 * `data: <json>\n\n` per chunk, `data: [DONE]\n\n` at the end, and on failure after the headers one
 * `data: {"error":{...}}` frame (the official SDKs throw on it).
 */
import { renderError, type GatewayError } from "../../shared/errors/openai-error.ts";

/** One SSE frame as text (a direct stream writes strings as UTF-8 itself, no encoder needed). */
export function sseData(value: unknown): string {
  return `data: ${JSON.stringify(value)}\n\n`;
}

export const SSE_DONE = "data: [DONE]\n\n";

/**
 * An SSE comment: what a committed stream sends while its vendor shows life without a chunk
 * (VendorStream.next), so idle timeouts between the client and the gateway see what they would see
 * straight from the vendor. SSE clients skip comment lines (the openai SDK's SSEDecoder, the WHATWG
 * EventSource parser).
 */
export const SSE_KEEP_ALIVE = ": keep-alive\n\n";

export function sseError(error: GatewayError): string {
  return sseData(renderError(error).body);
}

/**
 * `x-accel-buffering: no` asks nginx (proxy_buffering is on by default) to pass each event on as it
 * comes instead of in 4-8 KB batches; other buffering proxies and load balancers need their own setting.
 */
export const SSE_HEADERS: Record<string, string> = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  connection: "keep-alive",
  "x-accel-buffering": "no",
};
