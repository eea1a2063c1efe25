import { expect, test } from "bun:test";
import { classifyAzureError } from "../azure/errors.ts";
import { VendorStreamError } from "../vendor-stream-error.ts";
import { classifyOpenAIError } from "./errors.ts";
import { streamError, streamErrorStatus } from "./stream-error.ts";

test("the status an in-stream error stands for: its own status or numeric code, else its code's or type's meaning, else 500", () => {
  expect(streamErrorStatus({ message: "m", type: "invalid_request_error", param: null, code: null })).toBe(400);
  expect(streamErrorStatus({ message: "m", type: "server_error", param: null, code: null })).toBe(500);
  expect(streamErrorStatus({ message: "m", type: "requests", code: "rate_limit_exceeded" })).toBe(429);
  expect(streamErrorStatus({ message: "m", type: "invalid_request_error", code: "invalid_api_key" })).toBe(401);
  expect(streamErrorStatus({ message: "m", type: "invalid_request_error", code: "context_length_exceeded" })).toBe(400);
  // Azure: a status field, or the status as a string code.
  expect(streamErrorStatus({ message: "m", type: null, code: "content_filter", status: 400 })).toBe(400);
  expect(streamErrorStatus({ message: "m", type: null, code: "content_filter" })).toBe(400);
  expect(streamErrorStatus({ code: "429", message: "Requests ... have exceeded token rate limit" })).toBe(429);
  // vLLM and other OpenAI-compatible servers: the status as a numeric code.
  expect(streamErrorStatus({ object: "error", message: "m", type: "BadRequestError", code: 400 })).toBe(400);
  // Nothing we can place: the vendor's failure, as before.
  expect(streamErrorStatus({ message: "overloaded" })).toBe(500);
  expect(streamErrorStatus({ message: "m", code: "constructor", type: "toString" })).toBe(500);
  expect(streamErrorStatus({ message: "m", code: 200, status: "abc" })).toBe(500);
  expect(streamErrorStatus("plain text")).toBe(500);
});

test("streamError classifies with the adapter's classifier and keeps the vendor's words for a frame after the first chunk", () => {
  const refused = streamError({ message: "Invalid 'messages'.", type: "invalid_request_error", param: "messages", code: "invalid_value" }, classifyOpenAIError);
  expect(refused).toBeInstanceOf(VendorStreamError);
  expect(refused.vendorError).toMatchObject({ retryable: false, reason: "status_400", clientError: { kind: "vendor_rejected", status: 400, message: "Invalid 'messages'.", code: "invalid_value", param: "messages" } });
  const failed = streamError({ message: "The server had an error", type: "server_error" }, classifyOpenAIError);
  expect(failed.vendorError).toMatchObject({ retryable: true, reason: "status_500" });
  expect(failed.message).toBe("vendor stream failed: The server had an error");
  expect(streamError("bare message", classifyOpenAIError).message).toBe("vendor stream failed: bare message");
  const filtered = streamError({ message: "filtered", type: null, param: "prompt", code: "content_filter", status: 400 }, classifyAzureError);
  expect(filtered.vendorError).toMatchObject({ retryable: false, reason: "content_filter" });
});
