import { describe, expect, test } from "bun:test";
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
});
