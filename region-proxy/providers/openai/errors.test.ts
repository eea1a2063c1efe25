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

  test("a 429 is told as the rate limit OpenAI named: type tokens when it said tokens, else requests", () => {
    const tokens = JSON.stringify({ error: { message: "Rate limit reached on tokens per min (TPM)", type: "tokens", param: null, code: "rate_limit_exceeded" } });
    expect(classifyOpenAIError(429, new Headers(), tokens).clientError).toMatchObject({ kind: "upstream_rate_limited", limitType: "tokens" });
    expect(classifyOpenAIError(429, new Headers(), rateLimited).clientError).toMatchObject({ kind: "upstream_rate_limited", limitType: "requests" });
    // An OpenAI-compatible server's 429 without a type, or with its own: requests.
    expect(classifyOpenAIError(429, new Headers(), JSON.stringify({ error: { message: "Too many requests", type: "TooManyRequests", code: 429 } })).clientError).toMatchObject({ limitType: "requests" });
    expect(classifyOpenAIError(429, new Headers(), "busy").clientError).toMatchObject({ limitType: "requests" });
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

  test("an OpenAI-compatible server's over-long request (vLLM's words, numeric code) is context_length, told with OpenAI's code, param and words", () => {
    const vllm = (message: string) => JSON.stringify({ error: { message, type: "BadRequestError", param: null, code: 400 } });
    const wordings = [
      // vLLM to 0.8 (serving_engine.py), chat and embeddings.
      "This model's maximum context length is 4096 tokens. However, you requested 9000 tokens (8000 in the messages, 1000 in the completion). Please reduce the length of the messages or completion.",
      "This model's maximum context length is 512 tokens. However, you requested 900 tokens in the input for embedding generation. Please reduce the length of the input.",
      // vLLM 0.9 to 0.11.
      "'max_tokens' or 'max_completion_tokens' is too large: 8000. This model's maximum context length is 4096 tokens and your request has 2778 input tokens (8000 > 4096 - 2778). None",
      "'max_tokens' or 'max_completion_tokens' is too large: 32000. This model's maximum context length is 100001 tokens and your request has 81126 input tokens (32000 > 100001 - 81126). (parameter=max_tokens, value=32000)",
      // vLLM's renderer (renderers/params.py), after and before tokenizing.
      "You passed 5000 input tokens and requested 1000 output tokens. However, the model's context length is only 4096 tokens, resulting in a maximum input length of 3096 tokens. Please reduce the length of the input prompt.",
      "You passed 90000 input characters and requested 1000 output tokens. However, the model's context length is only 4096 tokens, resulting in a maximum input length of 3096 tokens (at most 12384 characters). Please reduce the length of the input prompt.",
    ];
    // Said in OpenAI's words already (vLLM to 0.11): kept; the renderer's: OpenAI's words with its figures,
    // or OpenAI's opening before its words where it counted characters, not tokens.
    const told = [
      ...wordings.slice(0, 4),
      "This model's maximum context length is 4096 tokens. However, you requested 6000 tokens (5000 in the messages, 1000 in the completion). Please reduce the length of the messages or completion.",
      `This model's maximum context length is exceeded: ${wordings[5]}`,
    ];
    for (const [i, message] of wordings.entries()) {
      expect(classifyOpenAIError(400, new Headers(), vllm(message))).toEqual({
        retryable: false,
        clientError: { kind: "vendor_rejected", status: 400, message: told[i]!, code: "context_length_exceeded", param: "messages" },
        retryAfterMs: null,
        reason: "context_length",
      });
    }
    // Only at the start of a 400's message: a refusal that quotes the words, or another status, is not it.
    const quoting = vllm("Invalid tool name: This model's maximum context length is 4096 tokens");
    expect(classifyOpenAIError(400, new Headers(), quoting)).toMatchObject({ reason: "status_400", clientError: { code: null, param: null } });
    expect(classifyOpenAIError(422, new Headers(), vllm(wordings[0]!)).reason).toBe("status_422");
    // OpenAI's own keeps its param.
    const openai = JSON.stringify({ error: { message: "This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens.", type: "invalid_request_error", param: "messages", code: "context_length_exceeded" } });
    expect(classifyOpenAIError(400, new Headers(), openai)).toMatchObject({ reason: "context_length", clientError: { code: "context_length_exceeded", param: "messages" } });
    // A vendor's own context_length_exceeded is not relabelled: its words are passed on as it said them.
    const ownWords = JSON.stringify({ error: { message: "Your input exceeds the context window of this model. Please adjust your input and try again.", type: "invalid_request_error", param: "input", code: "context_length_exceeded" } });
    expect(classifyOpenAIError(400, new Headers(), ownWords).clientError).toMatchObject({ message: "Your input exceeds the context window of this model. Please adjust your input and try again.", param: "input" });
  });
});
