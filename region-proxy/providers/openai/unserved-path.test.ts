/**
 * OpenAI's 404 for a path it does not serve (a deployment whose baseUrl lacks `/v1`): the caller chose
 * neither the URL nor the vendor model, so it is the deployment being unavailable, as Azure's
 * "Resource not found" is, never the caller's mistake; and the client is not shown the vendor's path.
 */
import { expect, test } from "bun:test";
import { classifyOpenAIError } from "./errors.ts";

const body = (message: string, code: string | null = null) => JSON.stringify({ error: { message, type: "invalid_request_error", param: null, code } });

test("404 Invalid URL (POST ...) is the deployment unavailable, without the vendor's path", () => {
  const verdict = classifyOpenAIError(404, new Headers(), body("Invalid URL (POST /chat/completions)"));
  expect(verdict).toMatchObject({ retryable: false, reason: "deployment_unavailable:not_found", clientError: { kind: "upstream_error", retryable: false } });
  expect(JSON.stringify(verdict.clientError)).not.toContain("/chat/completions");
});

test("404 with code unknown_url is the deployment unavailable", () => {
  expect(classifyOpenAIError(404, new Headers(), body("Unknown request URL: POST /chat/completions. Please check the URL for typos.", "unknown_url")).reason).toBe("deployment_unavailable:not_found");
});

test("a 404 whose message only quotes 'Invalid URL' later, or another status, stays the caller's", () => {
  expect(classifyOpenAIError(404, new Headers(), body("Could not fetch image: Invalid URL (GET http://x)")).reason).toBe("status_404");
  expect(classifyOpenAIError(400, new Headers(), body("Invalid URL (POST /chat/completions)")).reason).toBe("status_400");
});

test("on embeddings the same 404 is the caller's choice of operation (a chat-only server: Groq), no verdict on the deployment", () => {
  const groq = body("Unknown request URL: POST /openai/v1/embeddings. Please check the URL for typos, or see the docs at https://console.groq.com/docs/", "unknown_url");
  expect(classifyOpenAIError(404, new Headers(), groq, "embeddings").reason).toBe("deployment_unavailable:wrong_operation");
  expect(classifyOpenAIError(404, new Headers(), body("Invalid URL (POST /v1/embeddings)"), "embeddings").reason).toBe("deployment_unavailable:wrong_operation");
  // A model the vendor does not have is the deployment's whatever the operation.
  expect(classifyOpenAIError(404, new Headers(), body("The model `x` does not exist", "model_not_found"), "embeddings").reason).toBe("deployment_unavailable:not_found");
});
