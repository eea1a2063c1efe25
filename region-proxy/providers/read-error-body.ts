/**
 * A vendor error answer's body, for its classification: its first `maxBytes` (the rest cancelled,
 * never held), decoded. The status already says what the vendor did with the request; the body only
 * refines it, so a body that is too large still classifies by its status, with its beginning, and one
 * whose read fails (a reset, `bound` running out while a 503's body stalls) with ERROR_BODY_NOT_ARRIVED:
 * a status the vendor sent is never a call it left unanswered.
 */
import { readPrefix } from "../../shared/http/read-bounded.ts";

const decoder = new TextDecoder();

/**
 * What a cut error body reads as: no JSON error, so Azure's, Anthropic's and Gemini's classifiers quote
 * it as the vendor's text (an empty body they tell as "(empty body)", which a cut one is not); OpenAI's
 * reads only JSON and says the status. It matches none of their patterns: the status alone decides.
 */
export const ERROR_BODY_NOT_ARRIVED = "The model provider's error message did not arrive.";

/**
 * How long an error answer's body may take once its status is in: the deployment's first-byte timeout,
 * never above the proxy's default (VENDOR_FIRST_BYTE_TIMEOUT_MS). The body is sent right after its
 * headers; a deployment's own first-byte timeout is tuned for a model's thinking time (a thinking
 * deployment's 300 s), which no error body needs. Unlike a stream's first-byte budget
 * (retry-fits.ts firstByteBudgetMs) it has no `connectMs`: the connection is made by then.
 *
 * @example errorBodyWaitMs({ firstByteMs: 300_000 }, 10_000) // 10_000
 */
export function errorBodyWaitMs(timeouts: { firstByteMs?: number } | undefined, defaultFirstByteMs: number): number {
  return Math.min(timeouts?.firstByteMs ?? defaultFirstByteMs, defaultFirstByteMs);
}

/** How long the body may take once the status is in, and how the call is stopped when it takes longer. */
export interface ErrorBodyBound {
  ms: number;
  abort: () => void;
}

export async function readErrorBody(response: Response, maxBytes: number, bound: ErrorBodyBound): Promise<string> {
  const timer = setTimeout(bound.abort, bound.ms);
  try {
    const read = await readPrefix(response.body, maxBytes);
    return read === "cut_off" ? ERROR_BODY_NOT_ARRIVED : decoder.decode(read);
  } finally {
    clearTimeout(timer);
  }
}
