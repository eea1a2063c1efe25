/**
 * The adapter's verdict a call ended with by throwing a VendorStreamError (a stream's error event, or
 * a 2xx body that is only an error, read by readWholeAnswer), for tests that compare verdicts. `run`
 * may throw or reject; anything else it throws is rethrown, and a run that ends without one fails.
 *
 * @example expect((await thrownVendorError(() => translator.onEvent(event))).reason).toBe("status_429")
 */
import type { VendorError } from "../providers/types.ts";
import { VendorStreamError } from "../providers/vendor-stream-error.ts";

export async function thrownVendorError(run: () => unknown): Promise<VendorError> {
  try {
    await run();
  } catch (e) {
    if (e instanceof VendorStreamError) return e.vendorError;
    throw e;
  }
  throw new Error("no VendorStreamError");
}
