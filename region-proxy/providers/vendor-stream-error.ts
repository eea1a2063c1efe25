/**
 * An error the vendor sent inside a 200 stream (Anthropic's `event: error`, Gemini's and OpenAI's
 * `{"error":...}` event), classified by the vendor's adapter as the HTTP error it stands for. Before
 * the stream's first chunk reached the client the executor treats it like that HTTP error (retry,
 * fall back or fail fast); after it, it is the protocol error that ends the stream with an error frame.
 *
 * @example throw new VendorStreamError(classifyAnthropicError(400, new Headers(), event.data));
 */
import { VendorProtocolError, type VendorError } from "./types.ts";

export class VendorStreamError extends VendorProtocolError {
  /** `message`: what the error frame quotes once the stream has started (default: the client error's). */
  constructor(
    readonly vendorError: VendorError,
    message = "message" in vendorError.clientError ? vendorError.clientError.message : "the vendor's stream failed",
  ) {
    super(message);
  }
}
