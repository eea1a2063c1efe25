/**
 * The connection failed while a vendor's body was being read, whatever its framing: a Content-Length
 * body cut short (fetch rejects), a chunked one cut short or with a bad chunk size, a body its
 * Content-Encoding does not unpack (read-vendor-text.ts, sse-reader.ts). One kind, so one decision
 * (attempt-outcome.ts): after a 2xx the vendor answered and worked on the prompt, and the call is
 * charged as one left unanswered is. Not a VendorProtocolError: the bytes that came were not garbage.
 */
export class VendorBodyCutError extends Error {
  override readonly name = "VendorBodyCutError";
  constructor(cause: unknown) {
    super("the connection failed while the answer was read", { cause });
  }
}
