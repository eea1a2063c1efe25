/**
 * A vendor error answer's body, for its classification: its first `maxBytes` (the rest cancelled,
 * never held), decoded. The status already says what the vendor did with the request; the body only
 * refines it, so a body that is too large still classifies by its status, with its beginning. A body
 * whose read fails is a VendorBodyCutError.
 */
import { readPrefix } from "../../shared/http/read-bounded.ts";
import { VendorBodyCutError } from "./vendor-body-cut.ts";

const decoder = new TextDecoder();

export async function readErrorBody(response: Response, maxBytes: number): Promise<string> {
  const read = await readPrefix(response.body, maxBytes);
  if (read === "cut_off") throw new VendorBodyCutError(null);
  return decoder.decode(read);
}
