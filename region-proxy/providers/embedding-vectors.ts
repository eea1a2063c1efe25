/**
 * What every adapter checks of the vectors a vendor answered (OpenAI's, Azure's and Gemini's): each is a
 * non-empty list of finite numbers, and all of one answer have the same length, the `dimensions` the
 * client asked for when it asked. An empty vector, a NaN (JSON cannot carry one, a vendor's `null` or
 * string can be), or vectors of several lengths are the vendor breaking its protocol
 * (VendorProtocolError, 502 upstream_invalid_response, and the next deployment answers): passed on,
 * they would be stored in a caller's vector index that cannot compare them. Vectors of one length other
 * than the `dimensions` asked are the model's answer to that parameter, not a broken deployment
 * (DimensionsNotHonouredError: a 400 naming `dimensions`).
 *
 * @example finiteVector([0.6, 0.8], 0) // [0.6, 0.8]; finiteVector([], 0) throws
 */
import { DimensionsNotHonouredError } from "./dimensions-not-honoured.ts";
import { VendorProtocolError } from "./types.ts";

export function finiteVector(values: unknown, at: number): number[] {
  if (!Array.isArray(values) || values.length === 0 || !values.every((v) => typeof v === "number" && Number.isFinite(v))) {
    throw new VendorProtocolError(`embedding ${at} is not a vector of numbers`);
  }
  return values;
}

/**
 * Throws unless every length is the first's (VendorProtocolError), and that is `dimensions` when given
 * (DimensionsNotHonouredError).
 */
export function checkVectorLengths(lengths: readonly number[], dimensions: number | undefined): void {
  const at = lengths.findIndex((length) => length !== lengths[0]);
  if (at !== -1) throw new VendorProtocolError(`embedding ${at} has ${lengths[at]} dimensions, embedding 0 has ${lengths[0]}`);
  if (dimensions !== undefined && lengths.length > 0 && lengths[0] !== dimensions) throw new DimensionsNotHonouredError(dimensions, lengths[0]!);
}
