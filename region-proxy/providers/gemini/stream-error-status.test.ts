/**
 * An error object inside a Gemini stream is read as the HTTP error it stands for, as an unstreamed
 * error answer is classified (errors.ts): its `code` when that is an HTTP status (a number, or a string
 * of digits, as OpenAI's streamErrorStatus takes one), else what its `status` means in Google's error
 * model (google.rpc.Code's HTTP mapping: RESOURCE_EXHAUSTED 429, INVALID_ARGUMENT 400, UNAVAILABLE 503,
 * https://cloud.google.com/apis/design/errors), else 500. Before, only a numeric code was read: a
 * RESOURCE_EXHAUSTED without one, or with code "429", was a 500, so a mid-stream rate limit counted as a
 * breaker failure (isVendorRateLimit false) and a refused request was retried.
 */
import { expect, test } from "bun:test";
import { thrownVendorError } from "../../testing/thrown-vendor-error.ts";
import type { ResponseContext } from "../types.ts";
import { isVendorRateLimit } from "../vendor-rate-limit.ts";
import { createGeminiStreamTranslator } from "./stream.ts";

const ctx: ResponseContext = { completionId: "chatcmpl-g1", created: 1700000000, model: "gemini-x", includeUsage: true };

/** The verdict of a Gemini stream event carrying this error object. */
const verdictOf = (error: Record<string, unknown>) =>
  thrownVendorError(() => createGeminiStreamTranslator(ctx).onEvent({ event: null, data: JSON.stringify({ error }), id: null }));

const exhausted = "Resource has been exhausted (e.g. check quota).";

test.each([
  ["RESOURCE_EXHAUSTED, no code", { message: exhausted, status: "RESOURCE_EXHAUSTED" }, 429],
  ["code \"429\" as a string", { code: "429", message: exhausted, status: "RESOURCE_EXHAUSTED" }, 429],
  ["code \"429\", no status", { code: "429", message: exhausted }, 429],
  ["a gRPC code (8) with RESOURCE_EXHAUSTED", { code: 8, message: exhausted, status: "RESOURCE_EXHAUSTED" }, 429],
  ["UNAVAILABLE, no code", { message: "The model is overloaded. Please try again later.", status: "UNAVAILABLE" }, 503],
  ["numeric code 503", { code: 503, message: "The model is overloaded.", status: "UNAVAILABLE" }, 503],
  ["an unknown status, no code", { message: "?", status: "SOMETHING_NEW" }, 500],
  ["a status inherited from Object.prototype", { message: "?", status: "constructor" }, 500],
])("%s: the HTTP status it stands for", async (_, error, status) => {
  expect((await verdictOf(error)).reason).toBe(`status_${status}`);
});

test("a mid-stream RESOURCE_EXHAUSTED without a numeric code is the vendor's rate limit (no breaker failure)", async () => {
  expect(isVendorRateLimit(await verdictOf({ message: exhausted, status: "RESOURCE_EXHAUSTED" }))).toBe(true);
});

test("an INVALID_ARGUMENT without a code is the caller's 400: not retried", async () => {
  const verdict = await verdictOf({ message: "Invalid value at 'contents[0]'", status: "INVALID_ARGUMENT" });
  expect(verdict).toMatchObject({ retryable: false, reason: "status_400", clientError: { kind: "vendor_rejected", status: 400, code: "INVALID_ARGUMENT" } });
});
