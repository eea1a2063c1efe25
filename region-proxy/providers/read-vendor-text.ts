/**
 * A vendor's whole (non-streamed) body as text, bounded: a vendor that sends more than any answer
 * could hold is cut off with a protocol error (the caller aborts the call) instead of being held in
 * memory whole. With a Content-Length within the bound (the usual case) the body is read in one
 * native call; without one it is counted chunk by chunk. A compressed body is counted too: fetch
 * unpacks it, and its Content-Length is the packed size (a few KB of gzip can unpack to gigabytes).
 * A body the connection cut short, under either framing, is a VendorBodyCutError (vendor-body-cut.ts).
 */
import { readBounded } from "../../shared/http/read-bounded.ts";
import { VendorProtocolError } from "./types.ts";
import { VendorBodyCutError } from "./vendor-body-cut.ts";

/**
 * Above any real answer: the largest is a batch of embeddings (2,048 inputs x 3,072 floats as JSON
 * text, ~120 MB); a chat completion is a few MB at most.
 */
export const MAX_VENDOR_BODY_BYTES = 256 * 1024 * 1024;

const decoder = new TextDecoder();

/**
 * Not an async function: the usual answer (a Content-Length within the bound) is the native read's own
 * promise, its rejection mapped, with no async frame around it.
 */
export function readVendorText(response: Response, maxBytes = MAX_VENDOR_BODY_BYTES): Promise<string> {
  const length = response.headers.get("content-length");
  const declared = length === null ? NaN : Number(length);
  const encoding = response.headers.get("content-encoding");
  const unpacked = encoding === null || encoding.toLowerCase() === "identity";
  if (unpacked && declared > maxBytes) return Promise.reject(tooLarge(maxBytes));
  if (unpacked && Number.isSafeInteger(declared) && declared >= 0) return response.text().then(undefined, bodyCut);
  return readCounted(response, maxBytes);
}

/** A body without a usable Content-Length, counted chunk by chunk. */
async function readCounted(response: Response, maxBytes: number): Promise<string> {
  const read = await readBounded(response.body, maxBytes);
  if (read === "too_large") throw tooLarge(maxBytes);
  if (read === "cut_off") throw new VendorBodyCutError(null);
  return decoder.decode(read);
}

function bodyCut(error: unknown): never {
  throw new VendorBodyCutError(error);
}

const tooLarge = (maxBytes: number) => new VendorProtocolError(`the answer is larger than ${maxBytes} bytes`);
