/**
 * A vendor error answer's body, for its classification: its first `maxBytes` (the rest cancelled,
 * never held), decoded. The status already says what the vendor did with the request; the body only
 * refines it, so a body that is too large still classifies by its status, with its beginning, and one
 * whose read fails (a reset, the first-byte timer firing while a 503's body stalls, `bound` running
 * out) with "": a status the vendor sent is never a call it left unanswered.
 */
import { readPrefix } from "../../shared/http/read-bounded.ts";

const decoder = new TextDecoder();

/** How long the body may take once the status is in, and how the call is stopped when it takes longer. */
export interface ErrorBodyBound {
  ms: number;
  abort: () => void;
}

export async function readErrorBody(response: Response, maxBytes: number, bound: ErrorBodyBound | null = null): Promise<string> {
  const timer = bound === null ? undefined : setTimeout(bound.abort, bound.ms);
  try {
    const read = await readPrefix(response.body, maxBytes);
    return read === "cut_off" ? "" : decoder.decode(read);
  } finally {
    clearTimeout(timer);
  }
}
