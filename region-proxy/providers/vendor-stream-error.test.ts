/**
 * A vendor's own error event after the stream's first chunk: the error frame and the trail say what
 * the same error would have said before it (overloaded: upstream_error / status_529; a rate limit:
 * upstream_rate_limited, answered 429 rate_limit_exceeded / status_429; a refused request: the
 * vendor's code), never upstream_invalid_response, which stays for protocol garbage.
 */
import { expect, test } from "bun:test";
import { classifyAnthropicError } from "./anthropic/errors.ts";
import { classifyGeminiError } from "./gemini/errors.ts";
import { classifyOpenAIError } from "./openai/errors.ts";
import { streamError } from "./openai/stream-error.ts";
import { readSseBatches } from "./sse-reader.ts";
import { reads } from "./testing/reads.ts";
import { VendorProtocolError, type ChatCompletionChunk, type StreamTranslator } from "./types.ts";
import { committedStream, vendorEvents } from "./vendor-stream.ts";
import { afterFirstChunk, VendorStreamError } from "./vendor-stream-error.ts";

const anthropic = (status: number, type: string, message: string) => new VendorStreamError(classifyAnthropicError(status, new Headers(), JSON.stringify({ type: "error", error: { type, message } })));

test("Anthropic's overloaded_error (529): upstream_error with the vendor's words, reason status_529", () => {
  expect(afterFirstChunk(anthropic(529, "overloaded_error", "Overloaded"))).toEqual({ error: { kind: "upstream_error", message: "Anthropic answered 529 overloaded_error: Overloaded" }, reason: "status_529" });
});

test("a rate-limit error event: upstream_rate_limited, reason status_429", () => {
  const { error, reason } = afterFirstChunk(anthropic(429, "rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit"));
  expect(reason).toBe("status_429");
  // Anthropic's rate_limit_error names no OpenAI limit type: requests.
  expect(error).toMatchObject({ kind: "upstream_rate_limited", retryAfterMs: null, limitType: "requests" });
  expect(error).toHaveProperty("message", expect.stringContaining("per-minute rate limit"));
});

test("OpenAI's tokens rate-limit object: upstream_rate_limited with limit type tokens, reason status_429", () => {
  const { error, reason } = afterFirstChunk(streamError({ message: "Rate limit reached on tokens per min (TPM)", type: "tokens", code: "rate_limit_exceeded" }, classifyOpenAIError));
  expect(reason).toBe("status_429");
  expect(error).toEqual({ kind: "upstream_rate_limited", message: "vendor stream failed: Rate limit reached on tokens per min (TPM)", retryAfterMs: null, limitType: "tokens" });
});

test("OpenAI's server_error object: upstream_error quoting it, reason status_500", () => {
  const { error, reason } = afterFirstChunk(streamError({ message: "The server had an error while processing your request.", type: "server_error", code: null }, classifyOpenAIError));
  expect(reason).toBe("status_500");
  expect(error).toEqual({ kind: "upstream_error", message: "vendor stream failed: The server had an error while processing your request." });
});

test("Gemini's UNAVAILABLE error: upstream_error, reason status_503", () => {
  const body = JSON.stringify({ error: { code: 503, message: "The model is overloaded. Please try again later.", status: "UNAVAILABLE" } });
  const { error, reason } = afterFirstChunk(new VendorStreamError(classifyGeminiError(503, new Headers(), body)));
  expect(reason).toBe("status_503");
  expect(error).toMatchObject({ kind: "upstream_error", message: expect.stringContaining("The model is overloaded") });
});

test("a deployment-unavailable error event keeps its fixed words (no vendor text), an invalid request its vendor code", () => {
  const gone = afterFirstChunk(streamError({ message: "The model `gpt-x` does not exist", type: "invalid_request_error", code: "model_not_found" }, classifyOpenAIError));
  expect(gone.reason).toBe("deployment_unavailable:not_found");
  expect(JSON.stringify(gone.error)).not.toContain("gpt-x");
  expect(afterFirstChunk(anthropic(400, "invalid_request_error", "bad"))).toMatchObject({ error: { kind: "vendor_rejected", status: 400, code: "invalid_request_error" }, reason: "status_400" });
});

/** A translator whose "hello" is a chunk and whose "overloaded" / "garbage" throw what a vendor's would. */
const translator: StreamTranslator = {
  onEvent(event) {
    if (event.data === "overloaded") throw anthropic(529, "overloaded_error", "Overloaded");
    if (event.data === "garbage") throw new VendorProtocolError("not JSON");
    return [{ id: "c", object: "chat.completion.chunk", created: 0, model: "m", choices: [{ index: 0, delta: { content: event.data }, finish_reason: null }] }] as ChatCompletionChunk[];
  },
  finish: () => ({ chunks: [], usage: null }),
};
async function failedAfterFirstChunk(second: string) {
  const events = vendorEvents(readSseBatches(reads("data: hello\n\n", `data: ${second}\n\n`)));
  const first = { chunks: [], done: false, usage: null };
  const stream = committedStream(events, translator, first, { abort() {}, cleanup() {}, timedOut: () => false, redact: (e) => e });
  await stream.next();
  const error = await stream.next().then(() => null, (e: unknown) => e);
  return { failure: stream.failure(error), reason: stream.failureReason(error) };
}

test("a committed stream that meets the vendor's error event fails with its code and reason; garbage stays upstream_invalid_response", async () => {
  expect(await failedAfterFirstChunk("overloaded")).toEqual({ failure: { kind: "upstream_error", message: "Anthropic answered 529 overloaded_error: Overloaded" }, reason: "status_529" });
  const garbage = await failedAfterFirstChunk("garbage");
  expect(garbage.failure.kind).toBe("upstream_invalid_response");
  expect(garbage.reason).toBeNull();
});
