/**
 * An error the vendor sent inside a 200 stream (Anthropic's `event: error`, Gemini's and OpenAI's
 * `{"error":...}` event), classified by the vendor's adapter as the HTTP error it stands for. Before
 * the stream's first chunk reached the client the executor treats it like that HTTP error (retry,
 * fall back or fail fast); after it, it ends the stream with an error frame that says what the same
 * error would have before (afterFirstChunk): the vendor's own error, not protocol garbage.
 *
 * @example throw new VendorStreamError(classifyAnthropicError(400, new Headers(), event.data));
 */
import type { GatewayError } from "../../shared/errors/openai-error.ts";
import { VendorProtocolError, type VendorError } from "./types.ts";
import { isVendorRateLimit, limitTypeOf, vendorRateLimited } from "./vendor-rate-limit.ts";

export class VendorStreamError extends VendorProtocolError {
  /** `message`: what the error frame quotes once the stream has started (default: the client error's). */
  constructor(
    readonly vendorError: VendorError,
    message = "message" in vendorError.clientError ? vendorError.clientError.message : "the vendor's stream failed",
  ) {
    super(message);
  }
}

/**
 * The error frame's error and the trail's reason for a vendor error event after the first chunk:
 * the code and reason the walk gives the same error before it (an overload upstream_error /
 * `status_529`, a rate limit upstream_rate_limited, answered 429 rate_limit_exceeded / `status_429`, a
 * refused request the vendor's code), quoting the vendor's words where the walk's retryable errors do.
 * An error that carries no vendor words on purpose (a deployment unavailable, a refused credential)
 * keeps its fixed message.
 *
 * @example afterFirstChunk(overloaded) // { error: { kind: "upstream_error", message: "Anthropic answered 529 ..." }, reason: "status_529" }
 */
export function afterFirstChunk(error: VendorStreamError): { error: GatewayError; reason: string } {
  const { clientError, reason, retryable, retryAfterMs } = error.vendorError;
  if (isVendorRateLimit(error.vendorError)) {
    return { error: vendorRateLimited(error.message, retryAfterMs, limitTypeOf(clientError)), reason };
  }
  if (retryable && clientError.kind === "upstream_error") return { error: { kind: "upstream_error", message: error.message }, reason };
  return { error: clientError, reason };
}
