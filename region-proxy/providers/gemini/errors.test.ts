import { describe, expect, test } from "bun:test";
import { fixtureText } from "../../../test/fixtures/replay.ts";
import { classifyGeminiError } from "./errors.ts";

describe("gemini classifyError on Google's error bodies", () => {
  test("429 with RetryInfo is retryable and waits as told", async () => {
    const e = classifyGeminiError(429, new Headers(), await fixtureText("gemini", "error-rate-limit.json"));
    expect(e).toMatchObject({ retryable: true, retryAfterMs: 37000, reason: "status_429" });
    expect(classifyGeminiError(429, new Headers({ "retry-after": "2" }), await fixtureText("gemini", "error-rate-limit.json")).retryAfterMs).toBe(2000);
  });

  test("503 overloaded and 500 are retryable", async () => {
    const body = await fixtureText("gemini", "error-overloaded.json");
    expect(classifyGeminiError(503, new Headers(), body)).toEqual({
      retryable: true,
      clientError: { kind: "upstream_error", message: "Gemini answered 503 UNAVAILABLE: The model is overloaded. Please try again later." },
      retryAfterMs: null,
      reason: "status_503",
    });
    for (const s of [500, 502, 504]) expect(classifyGeminiError(s, new Headers(), body).retryable).toBe(true);
  });

  test("a bad key (Google answers 400 API_KEY_INVALID) and 401/403 are the gateway's credential problem", async () => {
    const e = classifyGeminiError(400, new Headers(), await fixtureText("gemini", "error-invalid-key.json"));
    expect(e).toMatchObject({ retryable: false, reason: "credential_rejected", clientError: { kind: "upstream_error" } });
    expect(JSON.stringify(e)).not.toContain("API key not valid");
    for (const s of [401, 403]) expect(classifyGeminiError(s, new Headers(), "{}").reason).toBe("credential_rejected");
    for (const s of [404, 422]) expect(classifyGeminiError(s, new Headers(), "{}").retryable).toBe(false);
  });

  test("an over-long input is context_length", async () => {
    const e = classifyGeminiError(400, new Headers(), await fixtureText("gemini", "error-context-length.json"));
    expect(e).toMatchObject({ retryable: false, reason: "context_length", clientError: { code: "context_length_exceeded" } });
  });
});
