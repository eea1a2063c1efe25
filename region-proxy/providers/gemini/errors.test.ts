import { describe, expect, test } from "bun:test";
import { fixtureText } from "../../../test/fixtures/replay.ts";
import { DEPLOYMENT_UNAVAILABLE_MESSAGE } from "../deployment-unavailable.ts";
import { classifyGeminiError } from "./errors.ts";

describe("gemini classifyError on Google's error bodies", () => {
  test("429 with RetryInfo is retryable and waits as told", async () => {
    const e = classifyGeminiError(429, new Headers(), await fixtureText("gemini", "error-rate-limit.json"));
    expect(e).toMatchObject({ retryable: true, retryAfterMs: 37000, reason: "status_429" });
    expect(classifyGeminiError(429, new Headers({ "retry-after": "2" }), await fixtureText("gemini", "error-rate-limit.json")).retryAfterMs).toBe(2000);
  });

  test("a RetryInfo delay beyond a day is read as a day, as a header's would be (never Infinity or 10^17 s)", () => {
    const withDelay = (retryDelay: string) =>
      JSON.stringify({ error: { code: 429, message: "Resource has been exhausted (e.g. check quota).", status: "RESOURCE_EXHAUSTED", details: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay }] } });
    for (const delay of ["9".repeat(400) + "s", "100000000000000s"]) expect(classifyGeminiError(429, new Headers(), withDelay(delay)).retryAfterMs).toBe(86_400_000);
    expect(classifyGeminiError(429, new Headers(), withDelay("1.5s")).retryAfterMs).toBe(1500);
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
    // Told in OpenAI's words with Google's figures; without figures, OpenAI's opening and then Google's words.
    expect(e.clientError).toHaveProperty("message", "This model's maximum context length is 1048576 tokens. However, your messages resulted in 1234567 tokens. Please reduce the length of the messages.");
    const tooLong = (message: string) => classifyGeminiError(400, new Headers(), JSON.stringify({ error: { code: 400, message, status: "INVALID_ARGUMENT" } })).clientError;
    expect(tooLong("Request contains too many tokens.")).toMatchObject({ code: "context_length_exceeded", message: "This model's maximum context length is exceeded: Request contains too many tokens." });
  });

  const googleError = (code: number, status: string, message: string) => JSON.stringify({ error: { code, message, status } });

  test("a model Google does not have (404 'models/x is not found') is the deployment's failure, not the caller's (the caller names an alias): a fixed 502 without Google's words", () => {
    const gone = classifyGeminiError(404, new Headers(), googleError(404, "NOT_FOUND", "models/gemini-retired is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods."));
    expect(gone).toEqual({
      retryable: false,
      clientError: { kind: "upstream_error", message: `The gateway could not call the model provider: ${DEPLOYMENT_UNAVAILABLE_MESSAGE}.`, retryable: false },
      retryAfterMs: null,
      reason: "deployment_unavailable:not_found",
    });
  });

  test("a project that cannot be used (FAILED_PRECONDITION: no free tier here and no billing, location not supported; 402) is the deployment's failure", () => {
    for (const message of ["Gemini API free tier is not available in your country. Please enable billing on your project in Google AI Studio.", "User location is not supported for the API use."]) {
      expect(classifyGeminiError(400, new Headers(), googleError(400, "FAILED_PRECONDITION", message)).reason).toBe("deployment_unavailable:account");
    }
    expect(classifyGeminiError(402, new Headers(), "{}").reason).toBe("deployment_unavailable:account");
  });

  test("a 404 or FAILED_PRECONDITION about a file the request referenced stays the caller's, with Google's message", () => {
    expect(classifyGeminiError(404, new Headers(), googleError(404, "NOT_FOUND", "File https://example.com/cat.png not found.")).clientError).toEqual({ kind: "vendor_rejected", status: 404, message: "File https://example.com/cat.png not found.", code: "NOT_FOUND", param: null });
    expect(classifyGeminiError(400, new Headers(), googleError(400, "FAILED_PRECONDITION", "The File abc is not in an ACTIVE state and usage is not allowed.")).clientError).toMatchObject({ kind: "vendor_rejected", status: 400 });
  });
});

test("a 400 that names a Gemini field the gateway mapped from an OpenAI parameter names that parameter (param), as OpenAI would", () => {
  const refused = (message: string) => classifyGeminiError(400, new Headers(), JSON.stringify({ error: { code: 400, message, status: "INVALID_ARGUMENT" } })).clientError;
  expect(refused("* BatchEmbedContentsRequest.requests[0].output_dimensionality: must be between 1 and 768, got 5000")).toMatchObject({ kind: "vendor_rejected", status: 400, param: "dimensions" });
  // maxOutputTokens is filled from max_tokens or max_completion_tokens: the message cannot say which.
  expect(refused("Unable to submit request because it has a maxOutputTokens value of 70000 but the supported range is from 1 (inclusive) to 65537 (exclusive).")).toMatchObject({ param: null });
  // A schema refusal quoting the client's own property names is about the schema, not those parameters.
  expect(refused("* GenerateContentRequest.tools[0].function_declarations[0].parameters.properties[temperature].enum: only allowed for STRING type")).toMatchObject({ param: null });
  expect(refused("* GenerateContentRequest.generation_config.response_schema.properties[top_p].enum: only allowed for STRING type")).toMatchObject({ param: null });
  expect(refused("* GenerateContentRequest.generation_config.stop_sequences: at most 5 stop sequences")).toMatchObject({ param: "stop" });
  expect(refused("Request contains an invalid argument.")).toMatchObject({ param: null });
});

test("a model's refusal of several candidates names n, in each of the wordings Gemini uses", () => {
  const refused = (message: string) => classifyGeminiError(400, new Headers(), JSON.stringify({ error: { code: 400, message, status: "INVALID_ARGUMENT" } })).clientError;
  for (const message of [
    // Gemini 3 (https://github.com/googleapis/js-genai/issues/1609)
    "Multiple candidates is not enabled for this model",
    // Gemini 1.0 (https://github.com/google-gemini/deprecated-generative-ai-dart/issues/34)
    "Only one candidate can be specified",
    // Vertex AI (https://github.com/genkit-ai/genkit/issues/546)
    "Unable to submit request because candidateCount must be 1 but the entered value was 3. Update the candidateCount value and try again.",
    "Unable to submit request because it has a candidateCount value of 9 but the supported range is from 1 (inclusive) to 9 (exclusive). Update the value and try again.",
  ]) {
    expect([message, refused(message)]).toMatchObject([message, { kind: "vendor_rejected", status: 400, param: "n" }]);
  }
});
