import { expect, test } from "bun:test";
import { errorCode, GATEWAY_ERROR_CODES, renderError, type GatewayError } from "./openai-error.ts";

/** One error of every kind (a new kind fails to compile here until it has a sample). */
const SAMPLES: { [K in GatewayError["kind"]]: Extract<GatewayError, { kind: K }> } = {
  invalid_json: { kind: "invalid_json", message: "m" },
  invalid_value: { kind: "invalid_value", message: "m", param: "p" },
  request_too_large: { kind: "request_too_large", limitBytes: 1 },
  unsupported_content_encoding: { kind: "unsupported_content_encoding", encoding: "gzip" },
  invalid_encoding: { kind: "invalid_encoding" },
  request_timeout: { kind: "request_timeout", timeoutMs: 60_000 },
  invalid_api_key: { kind: "invalid_api_key" },
  model_not_found: { kind: "model_not_found", model: "m" },
  not_found: { kind: "not_found", message: "m" },
  method_not_allowed: { kind: "method_not_allowed", method: "PUT" },
  residency_violation: { kind: "residency_violation", message: "m" },
  deployment_unpriced: { kind: "deployment_unpriced", message: "m" },
  rate_limited: { kind: "rate_limited", message: "m", limitType: "requests", retryAfterMs: 1000 },
  budget_exceeded: { kind: "budget_exceeded", message: "m" },
  budget_unavailable: { kind: "budget_unavailable", message: "m", retryAfterSeconds: 1 },
  vendor_rejected: { kind: "vendor_rejected", status: 400, message: "m", code: null, param: null },
  upstream_error: { kind: "upstream_error", message: "m" },
  upstream_rate_limited: { kind: "upstream_rate_limited", message: "m", retryAfterMs: null, limitType: "requests" },
  upstream_timeout: { kind: "upstream_timeout", message: "m" },
  upstream_unavailable: { kind: "upstream_unavailable", message: "m", retryAfterSeconds: 1 },
  upstream_invalid_response: { kind: "upstream_invalid_response", message: "m" },
  not_ready: { kind: "not_ready", retryAfterSeconds: 1 },
  shutting_down: { kind: "shutting_down" },
  internal_error: { kind: "internal_error" },
};

test("every code the gateway gives an error itself is in GATEWAY_ERROR_CODES; a vendor's own code is not", () => {
  for (const error of Object.values(SAMPLES)) expect(GATEWAY_ERROR_CODES.has(errorCode(error as GatewayError))).toBe(true);
  expect(errorCode({ kind: "vendor_rejected", status: 400, message: "m", code: "quota_for_req_42", param: null })).toBe("quota_for_req_42");
  expect(GATEWAY_ERROR_CODES.has("quota_for_req_42")).toBe(false);
});

test("a vendor's 429 is OpenAI's rate limit: code rate_limit_exceeded, type requests or tokens as the vendor said", () => {
  for (const limitType of ["requests", "tokens"] as const) {
    expect(renderError({ kind: "upstream_rate_limited", message: "m", retryAfterMs: null, limitType })).toMatchObject({ status: 429, body: { error: { type: limitType, code: "rate_limit_exceeded" } } });
  }
});

test("a vendor's wait is answered as OpenAI sends it: retry-after-ms exact, retry-after in whole seconds rounded up, at least 1", () => {
  expect(renderError({ kind: "upstream_rate_limited", message: "m", retryAfterMs: 50, limitType: "requests" }).headers).toEqual({ "retry-after-ms": "50", "retry-after": "1" });
  expect(renderError({ kind: "upstream_rate_limited", message: "m", retryAfterMs: 1500, limitType: "requests" }).headers).toEqual({ "retry-after-ms": "1500", "retry-after": "2" });
  expect(renderError({ kind: "upstream_rate_limited", message: "m", retryAfterMs: 0, limitType: "requests" }).headers).toEqual({ "retry-after-ms": "0", "retry-after": "1" });
  expect(renderError({ kind: "upstream_rate_limited", message: "m", retryAfterMs: null, limitType: "requests" }).headers).toEqual({});
  expect(renderError({ kind: "upstream_error", message: "m", retryAfterMs: 3000 }).headers).toEqual({ "retry-after-ms": "3000", "retry-after": "3" });
  expect(renderError({ kind: "upstream_error", message: "m" }).headers).toEqual({});
});

test("the 413 gives the limit in MiB, with the bytes when that is not a whole number", () => {
  const message = (limitBytes: number) => renderError({ kind: "request_too_large", limitBytes }).body.error.message;
  expect(message(1_048_576)).toContain("gateway's 1 MiB limit");
  expect(message(1_572_864)).toContain("gateway's 1.5 MiB (1572864 bytes) limit");
  expect(message(64)).toContain("gateway's 64 bytes limit");
});

test("the 413's advice fits the route's body: images for chat, fewer or smaller inputs for embeddings", () => {
  const message = (operation?: "chat" | "embeddings") => renderError({ kind: "request_too_large", limitBytes: 1_048_576, operation }).body.error.message;
  expect(message("chat")).toContain("inline `data:` images and files count towards it. Send images by https URL or smaller");
  expect(message("embeddings")).toBe("Request body exceeds the gateway's 1 MiB limit. Send fewer or smaller inputs per request, or ask the gateway operator to raise MAX_BODY_BYTES.");
  expect(message()).not.toMatch(/image/i);
  for (const operation of ["chat", "embeddings", undefined] as const) expect(message(operation)).toContain("MAX_BODY_BYTES");
});
