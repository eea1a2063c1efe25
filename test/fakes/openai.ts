/**
 * A fake OpenAI API (https://platform.openai.com/docs/api-reference/chat) for tests:
 * `POST /v1/chat/completions` and `POST /v1/embeddings`, Bearer key check answered like OpenAI (401
 * invalid_api_key whose message ECHOES the key it was given, as OpenAI echoes a masked fragment: the
 * gateway must never pass it on), OpenAI's error JSON, unstreamed completions and the documented
 * chunk sequence (role chunk, content deltas, tool_calls with `id`/`name` first and `arguments` in
 * pieces, finish chunk, `choices: []` usage chunk when `stream_options.include_usage`, `[DONE]`;
 * every chunk carries `usage: null` in that mode).
 *
 * It echoes the last user text; with tools and "call tool" in it (or tool_choice "required" or a named
 * function) it calls a tool with `{"echo": <text>}`; with response_format json_object/json_schema it
 * answers the JSON `{"echo": <text>}`. Usage: 1 token per 4 characters of the messages; models with
 * "cached" report prompt_tokens_details.cached_tokens, models with "reasoning" report
 * completion_tokens_details.reasoning_tokens (both included in the totals, as OpenAI counts them).
 * Fault models: error-500, overloaded (503), overloaded-long (503, retry-after 3600), rate-limit (429, retry-after-ms 50), rate-limit-long
 * (429, retry-after 3600), error-400, context-length, retired-model (OpenAI's 404 model_not_found for
 * a model it does not have), hang, garbage, stream-cut, stream-hang,
 * stream-empty (a 200 stream that closes before its first event), and the in-stream errors
 * stream-error-overloaded (a server_error event before any content), stream-error-invalid (an
 * invalid_request_error event before any content) and stream-error-late (the role chunk and the first
 * content chunk, then the server_error event), each `data: {"error": {...}}` then `data: [DONE]`
 * (STREAM_ERRORS; unstreamed, error-500 and error-400). Embeddings take `input` in the four documented
 * shapes, token ids too (openai-compatible.ts's readEmbeddingInputs), and `dimensions` up to
 * the model's size (3072 for text-embedding-3-large, 1536 otherwise; none for ada-002). A chat
 * field it reads that is not what OpenAI takes is OpenAI's 400 naming it (openai-chat-request.ts).
 */
import { type FakeVendor, type RecordedRequest, countTokens, garbage, hang, json, pieces, sse, startFakeServer, streamErrorMode, streamFault } from "./fake-server.ts";
import { readChatRequest } from "./openai-chat-request.ts";
import { INVALID_INPUT, Refusal, embeddingData, readDimensions, readEmbeddingInputs } from "./openai-compatible.ts";

export interface FakeOpenAI extends FakeVendor {
  /** Calls that named this model (chat or embeddings). */
  callsFor(model: string): number;
  /** While set, every call for `model` answers this status (OpenAI's server_error JSON); null ends the outage. */
  setOutage(model: string, status: number | null): void;
  /** Requests whose connection the caller dropped before the fake had answered in full. */
  aborts(): number;
}

const openaiError = (status: number, message: string, type: string, code: string | null, param: string | null = null, headers: Record<string, string> = {}) =>
  json(status, { error: { message, type, param, code } }, headers);

const refuse = (r: Refusal) => openaiError(400, r.message, r.type, r.code, r.param);

/**
 * The error objects of the stream-error-* models (fake-server.ts's streamErrorMode), each sent as
 * `data: {"error": {...}}` and followed by `data: [DONE]`, as OpenAI ends a stream whose server failed
 * (https://github.com/sashabaranov/go-openai/pull/396 quotes it off the wire; openai-python raises an
 * APIError for any event with an `error`, https://github.com/openai/openai-python/issues/1160). The
 * invalid one is the fake's error-400 in the same shape.
 */
const STREAM_ERRORS = {
  overloaded: { message: "The server experienced an error while processing your request. We apologize for the inconvenience!", type: "server_error", param: null, code: null },
  invalid: { message: "Invalid value for 'temperature': must be at most 2.", type: "invalid_request_error", param: "temperature", code: "invalid_value" },
};

function fault(model: string, raw: Request, stream: boolean): Response | Promise<Response> | null {
  const inStream = streamErrorMode(model);
  if (inStream && !stream) return fault(inStream === "invalid" ? "error-400" : "error-500", raw, false);
  switch (model) {
    case "error-500":
      return openaiError(500, "The server had an error while processing your request. Sorry about that!", "server_error", null);
    case "overloaded":
      return openaiError(503, "The engine is currently overloaded, please try again later.", "server_error", null);
    case "overloaded-long":
      return openaiError(503, "The engine is currently overloaded, please try again later.", "server_error", null, null, { "retry-after": "3600" });
    case "rate-limit":
      return openaiError(429, "Rate limit reached for requests. Please try again in 50ms.", "requests", "rate_limit_exceeded", null, { "retry-after-ms": "50", "retry-after": "1" });
    case "rate-limit-long":
      return openaiError(429, "Rate limit reached for requests. Please try again in 1h.", "requests", "rate_limit_exceeded", null, { "retry-after": "3600" });
    case "stream-empty":
      return stream ? sse([]) : openaiError(500, "The server had an error while processing your request.", "server_error", null);
    case "error-400":
      return openaiError(400, "Invalid value for 'temperature': must be at most 2.", "invalid_request_error", "invalid_value", "temperature");
    case "retired-model":
      return openaiError(404, `The model \`${model}\` does not exist or you do not have access to it.`, "invalid_request_error", "model_not_found");
    case "context-length":
      return openaiError(400, "This model's maximum context length is 128000 tokens. However, your messages resulted in 130412 tokens. Please reduce the length of the messages.", "invalid_request_error", "context_length_exceeded", "messages");
    case "hang":
      return hang(raw);
    case "garbage":
      return garbage(stream);
  }
  return null;
}

function chat(body: Record<string, unknown>, raw: Request): Response | Promise<Response> {
  const model = body.model as string;
  const request = readChatRequest(body);
  if (request instanceof Refusal) return refuse(request);
  const { messages, tools, stream, includeUsage, userText, callName, text } = request;
  const failed = fault(model, raw, stream);
  if (failed) return failed;
  const toolCall = callName ? { id: "call_fakeopenai1", type: "function", function: { name: callName, arguments: JSON.stringify({ echo: userText }) } } : null;
  const prompt = countTokens(JSON.stringify([messages, tools, body.response_format ?? null]));
  const reasoning = model.includes("reasoning") ? 16 : 0;
  const completion = (text === "" ? 0 : pieces(text).length) + (toolCall ? 5 : 0) + reasoning;
  const usage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    prompt_tokens_details: { cached_tokens: model.includes("cached") ? Math.min(prompt, 8) : 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: reasoning, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
  const finish = toolCall ? "tool_calls" : "stop";
  const base = { id: "chatcmpl-fakeOpenAI01", created: 1772304649, model, system_fingerprint: "fp_fake", service_tier: "default" };
  if (!stream) {
    const message = { role: "assistant", content: text === "" ? null : text, refusal: null, annotations: [], ...(toolCall ? { tool_calls: [toolCall] } : {}) };
    return json(200, { ...base, object: "chat.completion", choices: [{ index: 0, message, logprobs: null, finish_reason: finish }], usage });
  }
  const chunk = (delta: unknown, finishReason: string | null = null) => ({ ...base, object: "chat.completion.chunk", choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }], ...(includeUsage ? { usage: null } : {}) });
  const frames: unknown[] = [chunk({ role: "assistant", content: "", refusal: null })];
  for (const piece of pieces(text)) frames.push(chunk({ content: piece }));
  if (toolCall) {
    frames.push(chunk({ tool_calls: [{ index: 0, id: toolCall.id, type: "function", function: { name: callName, arguments: "" } }] }));
    const args = toolCall.function.arguments;
    for (let i = 0; i < args.length; i += 7) frames.push(chunk({ tool_calls: [{ index: 0, function: { arguments: args.slice(i, i + 7) } }] }));
  }
  frames.push(chunk({}, finish));
  if (includeUsage) frames.push({ ...base, object: "chat.completion.chunk", choices: [], usage });
  const data = (f: unknown) => `data: ${JSON.stringify(f)}\n\n`;
  const inStream = streamErrorMode(model);
  if (inStream) {
    const sent = inStream === "late" ? frames.slice(0, 2) : [];
    const error = STREAM_ERRORS[inStream === "invalid" ? "invalid" : "overloaded"];
    return sse([...sent.map(data), data({ error }), "data: [DONE]\n\n"], { "x-request-id": "req_fakeopenai" });
  }
  return sse([...frames.map(data), "data: [DONE]\n\n"], { "x-request-id": "req_fakeopenai" }, streamFault(model));
}

function embeddings(body: Record<string, unknown>, raw: Request): Response | Promise<Response> {
  const model = body.model as string;
  const failed = fault(model, raw, false);
  if (failed) return failed;
  // OpenAI's schema refuses more than 2048 inputs like any other input it does not take.
  const read = readEmbeddingInputs(body.input, INVALID_INPUT);
  if (read instanceof Refusal) return refuse(read);
  const { inputs, tokens } = read;
  const dimensions = readDimensions(body.dimensions, model, 8);
  if (dimensions instanceof Refusal) return refuse(dimensions);
  const data = embeddingData(inputs, dimensions, body.encoding_format === "base64");
  return json(200, { object: "list", data, model, usage: { prompt_tokens: tokens, total_tokens: tokens } });
}

function answer(req: RecordedRequest, raw: Request, apiKey: string, count: (model: string) => void, outages: Map<string, number>): Response | Promise<Response> {
  const auth = req.headers.authorization ?? "";
  if (auth !== `Bearer ${apiKey}`) {
    const given = auth.replace(/^Bearer /, "");
    return openaiError(401, `Incorrect API key provided: ${given}. You can find your API key at https://platform.openai.com/account/api-keys.`, "invalid_request_error", "invalid_api_key");
  }
  const body = req.body as Record<string, unknown> | null;
  if (typeof body !== "object" || body === null) return openaiError(400, "We could not parse the JSON body of your request.", "invalid_request_error", null);
  if (typeof body.model !== "string") return openaiError(400, "you must provide a model parameter", "invalid_request_error", null);
  count(body.model);
  const outage = outages.get(body.model);
  if (outage !== undefined) return openaiError(outage, "The server is temporarily unavailable (fake outage).", "server_error", null);
  if (req.path === "/v1/chat/completions") return chat(body, raw);
  if (req.path === "/v1/embeddings") return embeddings(body, raw);
  return openaiError(404, `Invalid URL (POST ${req.path})`, "invalid_request_error", null);
}

/** Starts the fake on 127.0.0.1 (port 0 unless given); the key it accepts defaults to `test-openai-key`. */
export async function startFakeOpenAI(opts?: { port?: number; apiKey?: string }): Promise<FakeOpenAI> {
  const apiKey = opts?.apiKey ?? "test-openai-key";
  const perModel = new Map<string, number>();
  const count = (model: string) => void perModel.set(model, (perModel.get(model) ?? 0) + 1);
  const outages = new Map<string, number>();
  let aborts = 0;
  const server = await startFakeServer(opts?.port, (req, raw) => {
    raw.signal.addEventListener("abort", () => void aborts++);
    return answer(req, raw, apiKey, count, outages);
  });
  return {
    ...server,
    callsFor: (model) => perModel.get(model) ?? 0,
    aborts: () => aborts,
    setOutage: (model, status) => void (status === null ? outages.delete(model) : outages.set(model, status)),
  };
}
