/**
 * A vendor SSE event's data as JSON (the last step of the pipeline: bytes → events → JSON). Data that
 * is not JSON is the vendor breaking its protocol: a VendorProtocolError quoting its start.
 *
 * @example eventJson({ event: null, data: '{"a":1}', id: null }, "Gemini") // { a: 1 }
 */
import { VendorProtocolError, type SseEvent } from "./types.ts";

export function eventJson(event: SseEvent, vendor: string): unknown {
  try {
    return JSON.parse(event.data);
  } catch {
    throw new VendorProtocolError(`${vendor} sent a non-JSON event: ${event.data.slice(0, 100)}`);
  }
}
