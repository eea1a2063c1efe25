/**
 * Google's 404 for a path it does not serve (a deployment whose baseUrl already ends in `/v1beta`):
 * NOT_FOUND "The requested URL ... was not found on this server." (or the same words in Google's HTML
 * error page). The caller chose neither the URL nor the model, so it is the deployment being
 * unavailable, like a model Google does not have; any other 404 stays the caller's (a file it named).
 */
import { expect, test } from "bun:test";
import { classifyGeminiError } from "./errors.ts";

const body = (message: string) => JSON.stringify({ error: { code: 404, message, status: "NOT_FOUND" } });

test("404 NOT_FOUND 'The requested URL ... was not found on this server.' is the deployment unavailable, without the path", () => {
  const verdict = classifyGeminiError(404, new Headers(), body("The requested URL /v1beta/v1beta/models/gemini-x:generateContent was not found on this server."));
  expect(verdict).toMatchObject({ retryable: false, reason: "deployment_unavailable:not_found", clientError: { kind: "upstream_error", retryable: false } });
  expect(JSON.stringify(verdict.clientError)).not.toContain("v1beta");
});

test("Google's HTML 404 page for an unknown path is the deployment unavailable", () => {
  const html = `<!DOCTYPE html>\n<html lang=en><meta charset=utf-8><title>Error 404 (Not Found)!!1</title><style>${"*{margin:0}".repeat(100)}</style><p><b>404.</b> <ins>That’s an error.</ins><p>The requested URL <code>/v1beta/v1beta/models/gemini-x:generateContent</code> was not found on this server.  <ins>That’s all we know.</ins>`;
  expect(classifyGeminiError(404, new Headers({ "content-type": "text/html; charset=UTF-8" }), html).reason).toBe("deployment_unavailable:not_found");
});

test("another 404 NOT_FOUND (a file the request named) stays the caller's", () => {
  expect(classifyGeminiError(404, new Headers(), body("File abc123 not found.")).reason).toBe("status_404");
});

test("on embeddings a chat model's 404 and an unserved path are the caller's choice of operation, no verdict on the deployment", () => {
  const chatModel = body("models/gemini-2.0-flash is not found for API version v1beta, or is not supported for batchEmbedContents. Call ListModels to see the list of available models and their supported methods.");
  expect(classifyGeminiError(404, new Headers(), chatModel, 0, "embeddings").reason).toBe("deployment_unavailable:wrong_operation");
  expect(classifyGeminiError(404, new Headers(), body("The requested URL /v1beta/models/gemini-x:batchEmbedContents was not found on this server."), 0, "embeddings").reason).toBe("deployment_unavailable:wrong_operation");
  // The same model 404 on chat is still the deployment failing.
  expect(classifyGeminiError(404, new Headers(), chatModel).reason).toBe("deployment_unavailable:not_found");
});
