/**
 * A vendor error answer's body, for its classification: its first `maxBytes` (the rest cancelled,
 * never held), decoded. The status already says what the vendor did with the request; the body only
 * refines it, so a body that is too large still classifies by its status, with its beginning, and one
 * whose read fails (a reset, the first-byte timer firing while a 503's body stalls) with "": a
 * status the vendor sent is never a call it left unanswered.
 */
import { readPrefix } from "../../shared/http/read-bounded.ts";

const decoder = new TextDecoder();

export async function readErrorBody(response: Response, maxBytes: number): Promise<string> {
  const read = await readPrefix(response.body, maxBytes);
  return read === "cut_off" ? "" : decoder.decode(read);
}
