/**
 * What the caller is told about a vendor's own 429 (after every retry and fallback, or in a stream's
 * error frame): OpenAI's rate-limit answer, code `rate_limit_exceeded` with type `requests`, or
 * `tokens` when the vendor's OpenAI-format error said so (its adapter then classified the 429 as
 * `upstream_rate_limited` with that type; other adapters classify it as `upstream_error`: `requests`).
 *
 * @example vendorRateLimited("The model provider is rate limiting this model; retry later.", 1000, limitTypeOf(last.error))
 */
import type { GatewayError } from "../../shared/errors/openai-error.ts";

export type RateLimitType = "requests" | "tokens";

export const vendorRateLimited = (message: string, retryAfterMs: number | null, limitType: RateLimitType): GatewayError => ({ kind: "upstream_rate_limited", message, retryAfterMs, limitType });

/** The limit a vendor's 429 named, from its adapter's classification: `requests` unless it said `tokens`. */
export const limitTypeOf = (error: GatewayError): RateLimitType => (error.kind === "upstream_rate_limited" ? error.limitType : "requests");
