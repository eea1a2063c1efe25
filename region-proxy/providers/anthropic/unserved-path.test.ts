/**
 * Anthropic's 404 for a path it does not serve (a deployment whose baseUrl ends in `/v1`, so the call
 * goes to `/v1/v1/messages`): `not_found_error` "Not found". The caller chose neither the URL nor the
 * model, so it is the deployment being unavailable, like a model Anthropic does not have.
 */
import { expect, test } from "bun:test";
import { classifyAnthropicError } from "./errors.ts";

const body = (type: string, message: string) => JSON.stringify({ type: "error", error: { type, message } });

test("404 not_found_error 'Not found' is the deployment unavailable", () => {
  const verdict = classifyAnthropicError(404, new Headers(), body("not_found_error", "Not found"));
  expect(verdict).toMatchObject({ retryable: false, reason: "deployment_unavailable:not_found", clientError: { kind: "upstream_error", retryable: false } });
});

test("a 404 not_found_error about something the request named (a file) stays the caller's", () => {
  expect(classifyAnthropicError(404, new Headers(), body("not_found_error", "File not found: file_011CNha8iCJcU1wXNR6q4V8w")).reason).toBe("status_404");
});
