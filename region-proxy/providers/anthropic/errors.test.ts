import { describe, expect, test } from "bun:test";
import { fixtureText } from "../../../test/fixtures/replay.ts";
import { DEPLOYMENT_UNAVAILABLE_MESSAGE } from "../deployment-unavailable.ts";
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

  test("an over-long prompt is reason context_length, told in OpenAI's words with Anthropic's figures", async () => {
    const e = classifyAnthropicError(400, new Headers(), await fixtureText("anthropic", "error-context-length.json"));
    expect(e.reason).toBe("context_length");
    expect(e.retryable).toBe(false);
    expect(e.clientError).toMatchObject({
      kind: "vendor_rejected",
      code: "context_length_exceeded",
      message: "This model's maximum context length is 200000 tokens. However, your messages resulted in 205000 tokens. Please reduce the length of the messages.",
    });
    const tooLong = (message: string) => classifyAnthropicError(400, new Headers(), JSON.stringify({ type: "error", error: { type: "invalid_request_error", message } })).clientError;
    // The prompt and max_tokens together: OpenAI's words for messages plus completion.
    expect(tooLong("input length and `max_tokens` exceed context limit: 187254 + 20000 > 204698, decrease input length or `max_tokens` and try again")).toMatchObject({
      code: "context_length_exceeded",
      message: "This model's maximum context length is 204698 tokens. However, you requested 207254 tokens (187254 in the messages, 20000 in the completion). Please reduce the length of the messages or completion.",
    });
    // Figures are read only from Anthropic's own opening words, whole: not from text the message quotes,
    // nor cut from a longer number (final read q1's finding 1).
    const noFigures = { message: expect.stringMatching(/^This model's maximum context length is exceeded: /) };
    expect(tooLong("messages.0: text 'prompt is too long: 5 tokens > 3 maximum' is invalid, and exceeds the context window")).toMatchObject(noFigures);
    expect(tooLong("input length and `max_tokens` exceed context limit: 1 + 2 > 12345678901234567, decrease input length")).toMatchObject(noFigures);
    // No figures to read: OpenAI's opening, then Anthropic's words.
    expect(tooLong("Request exceeds the context window of this model")).toMatchObject({
      code: "context_length_exceeded",
      message: "This model's maximum context length is exceeded: Request exceeds the context window of this model",
    });
  });

  test("a non-JSON body still yields a message", () => {
    expect(classifyAnthropicError(502, new Headers(), "<html>bad gateway</html>").clientError).toMatchObject({ message: expect.stringContaining("bad gateway") });
  });

  const anthropicError = (type: string, message: string) => JSON.stringify({ type: "error", error: { type, message } });

  test("an account that cannot pay is the deployment's failure, not the caller's (the caller names an alias): a fixed 502 without Anthropic's words", () => {
    const drained = classifyAnthropicError(400, new Headers(), anthropicError("invalid_request_error", "Your credit balance is too low to access the Anthropic API. Please go to Plans & Billing to upgrade or purchase credits."));
    expect(drained).toEqual({
      retryable: false,
      clientError: { kind: "upstream_error", message: `The gateway could not call the model provider: ${DEPLOYMENT_UNAVAILABLE_MESSAGE}.`, retryable: false },
      retryAfterMs: null,
      reason: "deployment_unavailable:account",
    });
    expect(classifyAnthropicError(400, new Headers(), anthropicError("invalid_request_error", "You have reached your specified workspace API usage limits. You will regain access on 2026-08-01 at 00:00 UTC.")).reason).toBe("deployment_unavailable:account");
    expect(classifyAnthropicError(402, new Headers(), anthropicError("billing_error", "There is an issue with your billing.")).reason).toBe("deployment_unavailable:account");
    // The same error as a stream's `event: error` (whose type has no status of its own there: 500).
    expect(classifyAnthropicError(500, new Headers(), anthropicError("billing_error", "There is an issue with your billing.")).reason).toBe("deployment_unavailable:account");
  });

  test("a model Anthropic does not have (404 not_found_error 'model: <name>') is the deployment's failure", () => {
    const gone = classifyAnthropicError(404, new Headers(), anthropicError("not_found_error", "model: claude-retired-20240229"));
    expect(gone).toMatchObject({ retryable: false, reason: "deployment_unavailable:not_found", clientError: { kind: "upstream_error" } });
    expect(JSON.stringify(gone)).not.toContain("claude-retired");
  });

  test("a 400 whose message only quotes billing words (the caller's text) stays the caller's", () => {
    const message = "messages.0.content.0.text: 'Your credit balance is too low' is not allowed here";
    expect(classifyAnthropicError(400, new Headers(), anthropicError("invalid_request_error", message)).clientError).toEqual({ kind: "vendor_rejected", status: 400, message, code: "invalid_request_error", param: null });
  });
});

describe("anthropic classifyError: a request shape the model does not take", () => {
  test("temperature with top_p (Claude Sonnet 4.5 and later) is told as top_p", async () => {
    const e = classifyAnthropicError(400, new Headers(), await fixtureText("anthropic", "error-sampling-pair.json"));
    expect(e).toMatchObject({ retryable: false, clientError: { kind: "vendor_rejected", status: 400, code: "invalid_request_error", param: "top_p" } });
  });

  test("a prefill to a model that takes none (Claude 4.6 and later) is told as messages", async () => {
    const e = classifyAnthropicError(400, new Headers(), await fixtureText("anthropic", "error-prefill.json"));
    expect(e).toMatchObject({ retryable: false, clientError: { kind: "vendor_rejected", status: 400, code: "invalid_request_error", param: "messages" } });
  });
});
