/**
 * One rule for a vendor's 4xx that the DEPLOYMENT caused, in every adapter: its vendor model or
 * deployment does not exist (Azure's `DeploymentNotFound`, OpenAI's `model_not_found`), or its
 * account cannot be used (HTTP 402, a drained balance, a spend limit). The client names an alias,
 * never a vendor model or account, so this is the gateway's configuration problem, not the caller's:
 * the client gets a fixed 502 WITHOUT the vendor's words (they name vendor models, accounts and
 * billing state), the breaker hears a failure (the deployment cannot serve anyone) and the walk moves
 * on to the next deployment without trying this one again.
 *
 * Adapters pass only signals a caller cannot provoke: a vendor's bare 404 may be about a file the
 * request referenced (Gemini), and a validation message may quote the caller's text, so a vendor's
 * wording counts only at the start of its message. Otherwise one client could open the breaker for
 * every tenant.
 *
 * @example if (error.code === "DeploymentNotFound") return deploymentUnavailable("not_found");
 */
import type { VendorError, VendorOperation } from "./types.ts";

/**
 * Why the deployment cannot serve: its model or deployment is gone, its vendor account is refused, or
 * its model does not do the request's operation (chat sent to an embeddings deployment: Azure's
 * `OperationNotSupported`; embeddings sent to a chat-only server or model: notServedCause). The last falls back like the others but is no failure of the deployment
 * (it serves its own operation): the caller chose the operation, so it must not open the breaker for
 * every tenant (isCallerChosenOperation).
 */
export type UnavailableCause = "not_found" | "account" | "wrong_operation";

export const DEPLOYMENT_UNAVAILABLE_MESSAGE = "the model provider cannot serve this deployment";

/** The prefix of the reason every adapter gives (`deployment_unavailable:not_found`), so the executor recognises it. */
export const DEPLOYMENT_UNAVAILABLE_REASON = "deployment_unavailable";

export function deploymentUnavailable(cause: UnavailableCause): VendorError {
  return {
    retryable: false,
    // No status in the message either: a 402 would tell the caller the gateway's account is unpaid.
    // Not retryable by the client: the same chain fails the same way until an operator acts.
    clientError: { kind: "upstream_error", message: `The gateway could not call the model provider: ${DEPLOYMENT_UNAVAILABLE_MESSAGE}.`, retryable: false },
    retryAfterMs: null,
    reason: `${DEPLOYMENT_UNAVAILABLE_REASON}:${cause}`,
  };
}

/** True for a verdict deploymentUnavailable made. */
export const isDeploymentUnavailable = (reason: string): boolean => reason.startsWith(`${DEPLOYMENT_UNAVAILABLE_REASON}:`);

/** 402 Payment Required: the vendor account cannot pay, whatever the body says (Anthropic, Gemini). */
export const isPaymentRequired = (status: number): boolean => status === 402;

/** True for a deployment that cannot do the operation the request asked for: no verdict on its health. */
export const isCallerChosenOperation = (reason: string): boolean => reason === `${DEPLOYMENT_UNAVAILABLE_REASON}:wrong_operation`;

/**
 * The cause for a vendor's "not served here" (a 404 for a path it does not serve, Gemini's "models/x is
 * not found ..., or is not supported for <method>"). On chat, which every deployment is for, it is the
 * deployment failing (a wrong baseUrl, a model that is gone); on embeddings the caller chose the
 * operation (routes/embeddings.ts plans every deployment whose adapter offers embeddings, and many
 * OpenAI-compatible chat servers serve no /embeddings), so it is `wrong_operation`: a fallback with no
 * verdict, since the circuit (breaker/circuit-key.ts) is the deployment's for every operation.
 */
export const notServedCause = (operation: VendorOperation = "chat"): UnavailableCause => (operation === "chat" ? "not_found" : "wrong_operation");
