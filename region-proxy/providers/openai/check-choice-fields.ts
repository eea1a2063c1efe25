/**
 * The fields of a choice the client's SDK reads the same way streamed or not, checked by one rule for
 * both paths (response.ts: a choice and its message; stream.ts: a chunk's choice and its delta): the
 * index a non-negative integer, finish_reason a string or null, content and refusal strings or null.
 * Anything else (content {"text":"hi"} or 5, index 0.5, finish_reason 1) is the vendor's fault, a
 * VendorProtocolError, and the next deployment answers. One typeof per field: the stream checks every
 * chunk with it; `where` names the path only in the error message.
 */
import { VendorProtocolError } from "../types.ts";

/** A string, or nothing (null or absent). */
export const optionalString = (value: unknown) => value == null || typeof value === "string";
/** A non-negative integer (Number.isInteger is false for anything not a number). */
export const isIndex = (value: unknown) => Number.isInteger(value) && (value as number) >= 0;

/**
 * Throws unless `choice` (an object) has an integer index and a string-or-null finish_reason, and
 * `part` (its message or delta, an object, or nothing) a string-or-null content and refusal.
 *
 * @example checkChoiceFields(choice, choice.message, "response")
 */
export function checkChoiceFields(choice: object, part: object | null | undefined, where: "response" | "stream"): void {
  const { index, finish_reason } = choice as { index?: unknown; finish_reason?: unknown };
  if (!isIndex(index)) throw new VendorProtocolError(`vendor ${where} choice index is not a non-negative integer`);
  if (!optionalString(finish_reason)) throw new VendorProtocolError(`vendor ${where} finish_reason is not a string`);
  if (part == null) return;
  const { content, refusal } = part as { content?: unknown; refusal?: unknown };
  if (!optionalString(content)) throw new VendorProtocolError(`vendor ${where} content is not a string`);
  if (!optionalString(refusal)) throw new VendorProtocolError(`vendor ${where} refusal is not a string`);
}
