import { describe, expect, test } from "bun:test";
import { DEPLOYMENT_UNAVAILABLE_MESSAGE } from "../deployment-unavailable.ts";
import { classifyOpenAIError } from "./errors.ts";

const rateLimited = JSON.stringify({ error: { message: "Rate limit reached for requests", type: "requests", param: null, code: "rate_limit_exceeded" } });

describe("openai classifyError", () => {
  test("a 429's wait: retry-after-ms wins, then retry-after in seconds or as an HTTP date", () => {
    expect(classifyOpenAIError(429, new Headers({ "retry-after-ms": "1500", "retry-after": "7" }), rateLimited)).toMatchObject({ retryable: true, retryAfterMs: 1500, reason: "status_429" });
    expect(classifyOpenAIError(429, new Headers({ "retry-after": "2" }), rateLimited).retryAfterMs).toBe(2000);
    const inFiveSeconds = new Date(Date.now() + 5_000).toUTCString();
    const wait = classifyOpenAIError(429, new Headers({ "retry-after": inFiveSeconds }), rateLimited).retryAfterMs!;
    expect(wait).toBeGreaterThan(3_000);
    expect(wait).toBeLessThanOrEqual(5_000);
    expect(classifyOpenAIError(503, new Headers({ "retry-after": "soon" }), "").retryAfterMs).toBeNull();
  });

  test("a model the vendor does not have is the deployment's failure, not the caller's (the caller names an alias): a fixed 502 without the vendor's words", () => {
    const openai = JSON.stringify({ error: { message: "The model `gpt-retired` does not exist or you do not have access to it.", type: "invalid_request_error", param: null, code: "model_not_found" } });
    const gone = classifyOpenAIError(404, new Headers(), openai);
    expect(gone).toEqual({
      retryable: false,
      clientError: { kind: "upstream_error", message: `The gateway could not call the model provider: ${DEPLOYMENT_UNAVAILABLE_MESSAGE}.`, retryable: false },
      retryAfterMs: null,
      reason: "deployment_unavailable:not_found",
    });
    // An OpenAI-compatible server says it in words, with a numeric code (vLLM's wording).
    const vllm = JSON.stringify({ error: { message: "The model `llama-retired` does not exist.", type: "NotFoundError", param: null, code: 404 } });
    expect(classifyOpenAIError(404, new Headers(), vllm).reason).toBe("deployment_unavailable:not_found");
  });

  test("an account that cannot pay (429 insufficient_quota, 402) is the deployment's failure: no retry of the same deployment, no Retry-After", () => {
    const drained = JSON.stringify({ error: { message: "You exceeded your current quota, please check your plan and billing details.", type: "insufficient_quota", param: null, code: "insufficient_quota" } });
    expect(classifyOpenAIError(429, new Headers({ "retry-after": "20" }), drained)).toMatchObject({ retryable: false, retryAfterMs: null, reason: "deployment_unavailable:account", clientError: { kind: "upstream_error" } });
    expect(classifyOpenAIError(402, new Headers(), "{}").reason).toBe("deployment_unavailable:account");
  });

  test("a 4xx the request caused still fails fast with the vendor's message, code and param", () => {
    const bad = JSON.stringify({ error: { message: "Invalid value for 'temperature': must be at most 2.", type: "invalid_request_error", param: "temperature", code: "invalid_value" } });
    for (const status of [400, 422]) {
      expect(classifyOpenAIError(status, new Headers(), bad)).toEqual({
        retryable: false,
        clientError: { kind: "vendor_rejected", status, message: "Invalid value for 'temperature': must be at most 2.", code: "invalid_value", param: "temperature" },
        retryAfterMs: null,
        reason: `status_${status}`,
      });
    }
    // A message that only mentions a model is not the vendor saying its model is gone.
    const quoting = JSON.stringify({ error: { message: "Invalid 'messages[0].name': The model `x` does not exist is not a valid name.", type: "invalid_request_error", param: "messages[0].name", code: "invalid_value" } });
    expect(classifyOpenAIError(404, new Headers(), quoting).clientError).toMatchObject({ kind: "vendor_rejected", status: 404 });
  });
});
