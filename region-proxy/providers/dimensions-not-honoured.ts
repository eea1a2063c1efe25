/**
 * An embeddings answer whose vectors all have one length, but not the `dimensions` the caller asked
 * for: the vendor's model cannot give that size and answered its own (a model or OpenAI-compatible
 * server that ignores `dimensions`, a Gemini model that ignores outputDimensionality). It answers this
 * request's parameter, not a sick deployment: counted as a failure, one caller's `dimensions` would
 * open the deployment's circuit for every tenant's chat. So it is a refused answer the vendor billed
 * (charged as one, read-whole-answer.ts withReportedUsage) and unusable for this request
 * (attempt-outcome.ts `unusable_answer`: the breaker hears the deployment answered, it is not retried,
 * and the next deployment is tried, as one alias can chain a server that ignores `dimensions` with one
 * that honours it); when every deployment called or considered answered so (none failed otherwise or
 * was skipped for its open circuit while it would take the request: walk-chain.ts), the caller gets a
 * 400 naming `dimensions`, as OpenAI and Gemini answer a size their model cannot give. Vectors of
 * several lengths stay a VendorProtocolError.
 *
 * @example throw new DimensionsNotHonouredError(4000, 3072)
 */
import type { GatewayError } from "../../shared/errors/openai-error.ts";
import { VendorProtocolError } from "./types.ts";

export class DimensionsNotHonouredError extends VendorProtocolError {
  constructor(
    readonly asked: number,
    readonly answered: number,
  ) {
    super(`embeddings have ${answered} dimensions where ${asked} were asked`);
  }

  /** The caller's answer: OpenAI's 400 for a parameter value, naming `dimensions`. */
  clientError(): GatewayError {
    return { kind: "invalid_value", param: "dimensions", message: `This model cannot give embeddings of ${this.asked} dimensions (it answered ${this.answered}); ask for a size it supports, or leave dimensions out.` };
  }
}
