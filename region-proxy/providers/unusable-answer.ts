/**
 * A 2xx answer whose model output cannot be used for this request, though the deployment served it
 * properly: Gemini's MALFORMED_FUNCTION_CALL (the model botched a call to the caller's tools),
 * UNEXPECTED_TOOL_CALL and the others of gemini/finish-reason.ts UNUSABLE_ANSWER. It is refused like
 * any invalid answer (a 502 upstream_invalid_response, or the next deployment; the vendor billed it),
 * but it depends on the request's prompt and tools, not on the
 * deployment's health: counting it as a failure would let one caller whose tools the model keeps
 * botching open the deployment's circuit for every tenant. So the breaker hears that the deployment
 * answered (attempt-outcome.ts `unusable_answer`, call-ending.ts), before or after a stream's first byte.
 *
 * @example if (isUnusableAnswer(reason)) throw new UnusableAnswerError(`Gemini ended with ${reason}`);
 */
import { VendorProtocolError } from "./types.ts";

export class UnusableAnswerError extends VendorProtocolError {}
