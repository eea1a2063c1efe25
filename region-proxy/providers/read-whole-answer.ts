/**
 * A non-streamed 2xx answer, read for chat and embeddings alike: the body (bounded, read-vendor-text.ts)
 * parsed as JSON; a body that is only an error judged as the HTTP error it stands for (error-only-body.ts),
 * its status read as the vendor's error model has it (`errorStatus`: the adapter's, else OpenAI's);
 * otherwise the operation's parser. An answer the parser refuses (VendorProtocolError) was billed by the
 * vendor all the same: the error carries the usage the vendor reported in it, which the request is
 * charged for this call (walk-chain.ts Trail.refusedCalls).
 */
import type { NormalizedUsage } from "../../shared/money/cost.ts";
import { errorOnlyBody } from "./error-only-body.ts";
import { streamError } from "./openai/stream-error.ts";
import { readVendorText } from "./read-vendor-text.ts";
import { VendorProtocolError, type ProviderAdapter } from "./types.ts";

/** How the operation's vendor answers: its error model, its redaction and its parser. */
interface HowToRead<T> {
  classify: ProviderAdapter["classifyError"];
  errorStatus: ProviderAdapter["errorStatus"];
  redactText: (text: string) => string;
  parse: (body: unknown) => T;
  reportedUsage: ((body: unknown) => NormalizedUsage | null) | undefined;
}

/** The read's promise mapped to the answer (not an async function: one frame and one promise fewer per answer). */
export function readWholeAnswer<T>(response: Response, how: HowToRead<T>): Promise<T> {
  return readVendorText(response).then((text) => answerOf(text, how));
}

function answerOf<T>(text: string, how: HowToRead<T>): T {
  const body: unknown = JSON.parse(text);
  const vendorError = errorOnlyBody(body);
  if (vendorError !== undefined) throw streamError(vendorError, how.classify, how.redactText, how.errorStatus);
  try {
    return how.parse(body);
  } catch (error) {
    throw withReportedUsage(error, () => how.reportedUsage?.(body) ?? null);
  }
}

/**
 * A 2xx answer the gateway refuses (VendorProtocolError), whole or a stream before its first chunk, was
 * billed by the vendor all the same: the error carries the usage the vendor reported in it.
 */
export function withReportedUsage(error: unknown, reported: () => NormalizedUsage | null): unknown {
  if (error instanceof VendorProtocolError) error.reportedUsage = reported();
  return error;
}
