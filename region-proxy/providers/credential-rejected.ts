/**
 * One rule for a vendor's 401/403 in every adapter: it is the gateway's credential problem, not the
 * caller's. The client gets a fixed 502 WITHOUT the vendor's message (a vendor's 401 body can echo
 * fragments of the key it was given), the executor does not retry the deployment (another try with the
 * same key cannot succeed) but falls back to the next one, which has its own key, and the breaker hears
 * about it (a revoked key makes the deployment unusable for everyone).
 *
 * @example if (status === 401 || status === 403) return credentialRejected(status);
 */
import type { VendorError } from "./types.ts";

export const CREDENTIAL_REJECTED_MESSAGE = "the vendor refused the gateway's credentials for this deployment";

/** The reason every adapter gives, so the executor recognises it without parsing messages. */
export const CREDENTIAL_REJECTED_REASON = "credential_rejected";

export function credentialRejected(status: number): VendorError {
  return {
    retryable: false,
    // Not retryable by the client either: the same key will be refused again until an operator acts.
    clientError: { kind: "upstream_error", message: `The gateway could not call the model provider: ${CREDENTIAL_REJECTED_MESSAGE} (status ${status}).`, retryable: false },
    retryAfterMs: null,
    reason: CREDENTIAL_REJECTED_REASON,
  };
}

/** True for the statuses that mean "your credential is refused". */
export const isCredentialStatus = (status: number): boolean => status === 401 || status === 403;
