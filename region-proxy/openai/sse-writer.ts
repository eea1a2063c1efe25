/**
 * Server-Sent Events framing for the client side of a stream, OpenAI style:
 * `data: <json>\n\n` per chunk, `data: [DONE]\n\n` at the end, and on failure after the headers one
 * `data: {"error":{...}}` frame (the official SDKs throw on it).
 */
import { renderError, type GatewayError } from "../../shared/errors/openai-error.ts";

const encoder = new TextEncoder();

export function sseData(value: unknown): Uint8Array {
  return encoder.encode(`data: ${JSON.stringify(value)}\n\n`);
}

export const SSE_DONE: Uint8Array = encoder.encode("data: [DONE]\n\n");

export function sseError(error: GatewayError): Uint8Array {
  return sseData(renderError(error).body);
}

export const SSE_HEADERS: Record<string, string> = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache",
  connection: "keep-alive",
};
