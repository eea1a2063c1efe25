/**
 * What the caller is told about a vendor's own 429 (after every retry and fallback, or in a stream's
 * error frame): OpenAI's rate-limit answer, code `rate_limit_exceeded` with type `requests`, or
 * `tokens` when the vendor's OpenAI-format error said so (its adapter then classified the 429 as
 * `upstream_rate_limited` with that type; other adapters classify it as `upstream_error`: `requests`).
 *
 * @example vendorRateLimited("The model provider is rate limiting this model; retry later.", 1000, limitTypeOf(last.error))
 */
import type { GatewayError } from "../../shared/errors/openai-error.ts";
import type { AttemptFailure } from "./attempt-outcome.ts";
import type { VendorError } from "./types.ts";

export type RateLimitType = "requests" | "tokens";

export const vendorRateLimited = (message: string, retryAfterMs: number | null, limitType: RateLimitType): GatewayError => ({ kind: "upstream_rate_limited", message, retryAfterMs, limitType });

/** The limit a vendor's 429 named, from its adapter's classification: `requests` unless it said `tokens`. */
export const limitTypeOf = (error: GatewayError): RateLimitType => (error.kind === "upstream_rate_limited" ? error.limitType : "requests");

/**
 * Whether a vendor error is its own rate limit: the retryable `status_429` its adapter classified
 * (an HTTP 429, or a rate-limit error event in its stream), as the adapter's verdict or the walk's
 * failure made of it (`transient`). The vendor pacing the gateway, not the deployment down: the breaker
 * hears no verdict, and the caller is told a 429 (vendorRateLimited).
 *
 * @example isVendorRateLimit(error.vendorError) // an Anthropic rate_limit_error event: true
 */
export function isVendorRateLimit(error: Pick<VendorError, "retryable" | "reason"> | Pick<AttemptFailure, "kind" | "reason">): boolean {
  const retryable = "kind" in error ? error.kind === "transient" : error.retryable;
  return retryable && error.reason === "status_429";
}
