import { describe, expect, test } from "bun:test";
import { fixtureText } from "../../../test/fixtures/replay.ts";
import { classifyAnthropicError } from "./errors.ts";

describe("anthropic classifyError on the documented error bodies", () => {
  test("529 overloaded and 5xx are retryable and honour retry-after", async () => {
    const body = await fixtureText("anthropic", "error-overloaded.json");
    const e = classifyAnthropicError(529, new Headers({ "retry-after": "3" }), body);
    expect(e).toEqual({ retryable: true, clientError: { kind: "upstream_error", message: "Anthropic answered 529 overloaded_error: Overloaded" }, retryAfterMs: 3000, reason: "status_529" });
    for (const status of [429, 500, 502, 503, 504]) expect(classifyAnthropicError(status, new Headers(), body).retryable).toBe(true);
    expect(classifyAnthropicError(429, new Headers({ "retry-after-ms": "250", "retry-after": "9" }), body).retryAfterMs).toBe(250);
  });

  test("4xx are permanent and carry the vendor's message", async () => {
    const body = await fixtureText("anthropic", "error-not-found.json");
    for (const status of [400, 404, 422]) {
      const e = classifyAnthropicError(status, new Headers(), body);
      expect(e.retryable).toBe(false);
      expect(e.clientError).toEqual({ kind: "vendor_rejected", status, message: "The requested resource could not be found.", code: "not_found_error", param: null });
    }
  });

  test("401/403 are the gateway's credential problem: a fixed 502 without the vendor's words", () => {
    const echo = JSON.stringify({ type: "error", error: { type: "authentication_error", message: "invalid x-api-key sk-ant-secret123" } });
    for (const status of [401, 403]) {
      const e = classifyAnthropicError(status, new Headers(), echo);
      expect(e).toMatchObject({ retryable: false, reason: "credential_rejected", clientError: { kind: "upstream_error" } });
      expect(JSON.stringify(e)).not.toContain("sk-ant-secret123");
    }
  });

  test("an over-long prompt is reason context_length", async () => {
    const e = classifyAnthropicError(400, new Headers(), await fixtureText("anthropic", "error-context-length.json"));
    expect(e.reason).toBe("context_length");
    expect(e.retryable).toBe(false);
    expect(e.clientError).toMatchObject({ kind: "vendor_rejected", code: "context_length_exceeded", message: "prompt is too long: 205000 tokens > 200000 maximum" });
  });

  test("a non-JSON body still yields a message", () => {
    expect(classifyAnthropicError(502, new Headers(), "<html>bad gateway</html>").clientError).toMatchObject({ message: expect.stringContaining("bad gateway") });
  });
});
