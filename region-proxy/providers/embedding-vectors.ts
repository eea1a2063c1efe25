/**
 * What every adapter checks of the vectors a vendor answered (OpenAI's, Azure's and Gemini's): each is a
 * non-empty list of finite numbers, and all of one answer have the same length, the `dimensions` the
 * client asked for when it asked. An empty vector, a NaN (JSON cannot carry one, a vendor's `null` or
 * string can be), or vectors of several lengths are the vendor breaking its protocol
 * (VendorProtocolError, 502 upstream_invalid_response, and the next deployment answers): passed on,
 * they would be stored in a caller's vector index that cannot compare them.
 *
 * @example finiteVector([0.6, 0.8], 0) // [0.6, 0.8]; finiteVector([], 0) throws
 */
import { VendorProtocolError } from "./types.ts";

export function finiteVector(values: unknown, at: number): number[] {
  if (!Array.isArray(values) || values.length === 0 || !values.every((v) => typeof v === "number" && Number.isFinite(v))) {
    throw new VendorProtocolError(`embedding ${at} is not a vector of numbers`);
  }
  return values;
}

/** Throws unless every length is the first's, and `dimensions` when given. */
export function checkVectorLengths(lengths: readonly number[], dimensions: number | undefined): void {
  const expected = dimensions ?? lengths[0];
  const at = lengths.findIndex((length) => length !== expected);
  if (at === -1) return;
  throw new VendorProtocolError(dimensions === undefined ? `embedding ${at} has ${lengths[at]} dimensions, embedding 0 has ${expected}` : `embedding ${at} has ${lengths[at]} dimensions where ${dimensions} were asked`);
}
