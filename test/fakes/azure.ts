/**
 * A fake Azure OpenAI chat completions endpoint
 * (https://learn.microsoft.com/en-us/azure/ai-foundry/openai/reference) for tests:
 * `/openai/deployments/{deployment}/chat/completions?api-version=...`, or the v1 API's
 * `/openai/v1/chat/completions` with the deployment as `model` (see route), `api-key` check (401 in
 * Azure's words), OpenAI's JSON with Azure's content-filter annotations, and streams that open with
 * the `choices: []` prompt-filter chunk, carry the asynchronous filter's annotation-only chunk after
 * the finish chunk, and end with `data: [DONE]`, a usage chunk when stream_options.include_usage is set. It echoes the last user text; with tools and "call tool" in it
 * (or tool_choice "required"/a named function) it calls a tool; with response_format json_object or
 * json_schema it answers the JSON `{"echo": <text>}`. Fault modes by deployment name:
 * error-500, overloaded (503), rate-limit (429 + retry-after-ms), error-400, context-length,
 * deleted-deployment (Azure's 404 DeploymentNotFound, as for a deployment the resource does not have),
 * retired-model (Azure's 410 ModelDeprecated, epam/ai-dial-chat#4403), reasoning-model (on a dated
 * api-version before 2024-12-01-preview, Azure's 400 "Model {modelName} is enabled only for api versions
 * 2024-12-01-preview and later", as o1/o3-mini answer: microsoft/semantic-kernel#12268),
 * content-filter (prompt refused, 400), filtered-output (finish_reason content_filter),
 * async-filter-blocked (streamed: the Asynchronous Filter's blocked stream, see asyncFilterBlock;
 * unstreamed: as filtered-output), hang,
 * garbage, stream-cut, stream-hang, and the in-stream errors stream-error-overloaded (OpenAI's
 * server_error event before any content), stream-error-invalid (an invalid_request_error event
 * before any content), stream-error-late (the prompt-filter, role and first content chunks, then the
 * server_error event) and stream-error-content-filter (content-filter's error, as an event before any
 * content), each `data: {"error": {...}}` then `data: [DONE]` (STREAM_ERRORS; unstreamed, error-500,
 * error-400 and content-filter). `/openai/deployments/{deployment}/embeddings` (v1: `/openai/v1/embeddings`) answers OpenAI's
 * embeddings list (floats, or base64 float32 when `encoding_format: "base64"`) for `input` in the four
 * documented shapes, token ids too (openai-compatible.ts's readEmbeddingInputs), from a
 * text-embedding-3-small deployment, so `dimensions` is at most 1536, as OpenAI's. Chat fields are
 * read and refused as OpenAI's (openai-chat-request.ts); a `developer` message on a dated api-version
 * before 2024-12-01-preview is refused as Azure refuses it there (DEVELOPER_ROLE_REFUSAL).
 */
import { type FakeVendor, type RecordedRequest, countTokens, decodeSegment, garbage, hang, json, pieces, sse, startFakeServer, streamErrorMode, streamFault } from "./fake-server.ts";
import { readChatRequest } from "./openai-chat-request.ts";
import { MAX_EMBEDDING_INPUTS, Refusal, embeddingData, readDimensions, readEmbeddingInputs } from "./openai-compatible.ts";

const SAFE = { hate: { filtered: false, severity: "safe" }, self_harm: { filtered: false, severity: "safe" }, sexual: { filtered: false, severity: "safe" }, violence: { filtered: false, severity: "safe" } };
const azureError = (status: number, error: Record<string, unknown>, headers: Record<string, string> = {}) => json(status, { error }, headers);

const refuse = (r: Refusal) => azureError(400, { message: r.message, type: r.type, param: r.param, code: r.code });

/** Azure's 400 for a prompt its content filter refused (https://learn.microsoft.com/en-us/azure/ai-services/openai/concepts/content-filter). */
const CONTENT_FILTER_ERROR = {
  message: "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry. To learn more about our content filtering policies please read our documentation: https://go.microsoft.com/fwlink/?linkid=2198766",
  type: null,
  param: "prompt",
  code: "content_filter",
  status: 400,
  innererror: { code: "ResponsibleAIPolicyViolation", content_filter_result: { ...SAFE, hate: { filtered: true, severity: "high" } } },
};

/**
 * The error objects of the stream-error-* deployments (fake-server.ts's streamErrorMode, and
 * stream-error-content-filter), each sent as `data: {"error": {...}}` and followed by `data: [DONE]`.
 * Azure streams OpenAI's wire format, so a failed server's event is OpenAI's server_error (see
 * openai.ts); a content filter that blocks the stream sends its error instead of the content
 * (https://learn.microsoft.com/en-us/azure/ai-foundry/openai/concepts/content-streaming), here
 * content-filter's 400 error. The invalid one is the fake's error-400.
 */
const STREAM_ERRORS = {
  overloaded: { message: "The server experienced an error while processing your request. We apologize for the inconvenience!", type: "server_error", param: null, code: null },
  invalid: { message: "Invalid value for 'temperature': must be at most 2.", type: "invalid_request_error", param: "temperature", code: "invalid_value" },
  "content-filter": CONTENT_FILTER_ERROR,
};

/** The in-stream error a deployment asks for: streamErrorMode's, or Azure's content filter. */
function azureStreamError(deployment: string): "overloaded" | "invalid" | "late" | "content-filter" | null {
  return deployment === "stream-error-content-filter" ? "content-filter" : streamErrorMode(deployment);
}

/**
 * How the Asynchronous Filter ends a stream it blocks, after the content already sent
 * (https://learn.microsoft.com/en-us/azure/ai-foundry/openai/concepts/content-streaming, "Sample
 * response stream (blocked by filters)"): a chunk with no delta and empty id, model and object whose
 * choice carries finish_reason content_filter, then `data: [DONE]`; no other finish chunk, no usage.
 */
function asyncFilterBlock(checked: number) {
  return {
    id: "",
    object: "",
    created: 0,
    model: "",
    choices: [{ index: 0, finish_reason: "content_filter", content_filter_results: { protected_material_text: { detected: true, filtered: true } }, content_filter_offsets: { check_offset: checked, start_offset: checked, end_offset: checked + 991 } }],
    usage: null,
  };
}

/**
 * The `developer` role came with api-version 2024-12-01-preview (Azure's "Developer Messages" row in
 * https://learn.microsoft.com/en-us/azure/ai-services/openai/how-to/reasoning; the 2024-10-21 GA spec's
 * messages are system, user, assistant, tool and function): a dated api-version before it refuses one
 * in these words (run-llama/llama_index#17544, #17748). The v1 API takes it.
 */
const DEVELOPER_ROLE_SINCE = "2024-12-01";
const DEVELOPER_ROLE_REFUSAL = (index: number) =>
  new Refusal("Invalid value: 'developer'. Supported values are: 'system', 'assistant', 'user', 'function', and 'tool'.", `messages[${index}].role`, "invalid_value");

/**
 * Azure's answer to more inputs than it takes in one request, in its own words where OpenAI's schema
 * just calls the input invalid (langchain-ai/langchain#9112, Mintplex-Labs/anything-llm#184 quote it
 * for Azure's earlier caps of 1 and 16; 2048 is the cap today).
 */
const TOO_MANY_INPUTS = new Refusal(
  `Too many inputs. The max number of inputs is ${MAX_EMBEDDING_INPUTS}.  We hope to increase the number of inputs per request soon. Please contact us through an Azure support request at: https://go.microsoft.com/fwlink/?linkid=2213926 for further questions.`,
  null,
  null,
);

/** The model behind every embeddings deployment of this fake (Azure answers with the model, not the deployment). */
const EMBEDDING_MODEL = "text-embedding-3-small";

function embeddings(deployment: string, body: Record<string, unknown> | null): Response {
  if (deployment === "error-500") return azureError(500, { code: "InternalServerError", message: "The server had an error while processing your request. Sorry about that!" });
  if (body?.input === undefined) return azureError(400, { message: "'input' is a required property", type: "invalid_request_error", param: "input", code: null });
  const read = readEmbeddingInputs(body.input, TOO_MANY_INPUTS);
  if (read instanceof Refusal) return refuse(read);
  const { inputs, tokens } = read;
  const dimensions = readDimensions(body.dimensions, EMBEDDING_MODEL, 6);
  if (dimensions instanceof Refusal) return refuse(dimensions);
  const data = embeddingData(inputs, dimensions, body.encoding_format === "base64");
  return json(200, { object: "list", data, model: EMBEDDING_MODEL, usage: { prompt_tokens: tokens, total_tokens: tokens } });
}

/**
 * The deployment and operation a request names, in either of Azure's URL forms, and whether its key
 * is the resource's; null for any other path (Azure's 404 "Resource not found"):
 * - dated: `/openai/deployments/{deployment}/{operation}?api-version=...`, key in `api-key`;
 * - v1 (https://learn.microsoft.com/en-us/azure/ai-foundry/openai/latest): `/openai/v1/{operation}`,
 *   api-version optional, the deployment as the body's `model`, key in `api-key` or as a Bearer token.
 */
function route(req: RecordedRequest, apiKey: string): { deployment: string; operation: string; keyOk: boolean } | null {
  const url = new URL(req.path, "http://fake");
  const dated = /^\/openai\/deployments\/([^/]+)\/(embeddings|chat\/completions)$/.exec(url.pathname);
  if (dated && url.searchParams.get("api-version")) {
    const deployment = decodeSegment(dated[1]!);
    return deployment === null ? null : { deployment, operation: dated[2]!, keyOk: req.headers["api-key"] === apiKey };
  }
  const v1 = /^\/openai\/v1\/(embeddings|chat\/completions)$/.exec(url.pathname);
  if (!v1) return null;
  const model = (req.body as { model?: unknown } | null)?.model;
  const keyOk = req.headers["api-key"] === apiKey || req.headers.authorization === `Bearer ${apiKey}`;
  return { deployment: typeof model === "string" ? model : "", operation: v1[1]!, keyOk };
}

function answer(req: RecordedRequest, raw: Request, apiKey: string): Response | Promise<Response> {
  const found = route(req, apiKey);
  if (found === null) return azureError(404, { code: "404", message: "Resource not found" });
  const { deployment, operation, keyOk } = found;
  if (deployment === "deleted-deployment" && keyOk) {
    return azureError(404, { code: "DeploymentNotFound", message: "The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again." });
  }
  if (deployment === "retired-model" && keyOk) {
    return azureError(410, { code: "ModelDeprecated", message: "The model associated with the deployment is deprecated and no longer available for use. Please refer to the Azure OpenAI service documentation for more information." });
  }
  const version = new URL(req.path, "http://fake").searchParams.get("api-version");
  if (deployment === "reasoning-model" && keyOk && version !== null && version < "2024-12-01") {
    return azureError(400, { code: "BadRequest", message: "Model {modelName} is enabled only for api versions 2024-12-01-preview and later" });
  }
  if (operation === "embeddings") {
    if (!keyOk) return azureError(401, { code: "401", message: "Access denied due to invalid subscription key or wrong API endpoint." });
    return embeddings(deployment, req.body as Record<string, unknown> | null);
  }
  if (!keyOk) {
    return azureError(401, { code: "401", message: "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource." });
  }
  const body = req.body as Record<string, unknown> | null;
  if (typeof body !== "object" || body === null || !Array.isArray(body.messages) || body.messages.length === 0) {
    return azureError(400, { message: "'messages' is a required property", type: "invalid_request_error", param: "messages", code: null });
  }
  const request = readChatRequest(body);
  if (request instanceof Refusal) return refuse(request);
  const developer = version !== null && version < DEVELOPER_ROLE_SINCE ? request.messages.findIndex((m) => m.role === "developer") : -1;
  if (developer >= 0) return refuse(DEVELOPER_ROLE_REFUSAL(developer));
  const { messages, tools, stream, includeUsage, userText, callName } = request;
  const inStream = azureStreamError(deployment);
  const failAs = inStream === null || stream ? deployment : inStream === "invalid" ? "error-400" : inStream === "content-filter" ? "content-filter" : "error-500";
  switch (failAs) {
    case "error-500":
      return azureError(500, { code: "InternalServerError", message: "The server had an error while processing your request. Sorry about that!" });
    case "overloaded":
      return azureError(503, { code: "ServiceUnavailable", message: "The service is temporarily unable to process your request. Please try again later." });
    case "rate-limit":
      return azureError(429, { code: "429", message: "Requests to the ChatCompletions_Create Operation under Azure OpenAI API version 2024-10-21 have exceeded token rate limit of your current OpenAI S0 pricing tier. Please retry after 1 second." }, { "retry-after": "1", "retry-after-ms": "1000" });
    case "error-400":
      return azureError(400, { message: "Invalid value for 'temperature': must be at most 2.", type: "invalid_request_error", param: "temperature", code: "invalid_value" });
    case "context-length":
      return azureError(400, { message: "This model's maximum context length is 128000 tokens. However, your messages resulted in 130412 tokens. Please reduce the length of the messages.", type: "invalid_request_error", param: "messages", code: "context_length_exceeded" });
    case "content-filter":
      return azureError(400, CONTENT_FILTER_ERROR);
    case "hang":
      return hang(raw);
    case "garbage":
      return garbage(stream);
  }
  const blockedLate = stream && deployment === "async-filter-blocked";
  const filtered = deployment === "filtered-output" || (!stream && deployment === "async-filter-blocked");
  const text = filtered ? "" : request.text;
  const finish = filtered ? "content_filter" : callName ? "tool_calls" : "stop";
  const toolCall = callName ? { id: "call_fakeazure1", type: "function", function: { name: callName, arguments: JSON.stringify({ echo: userText }) } } : null;
  const prompt = countTokens(JSON.stringify([messages, tools]));
  const completion = pieces(text).length + (toolCall ? 5 : 0);
  const usage = { completion_tokens: completion, completion_tokens_details: { reasoning_tokens: 0 }, prompt_tokens: prompt, prompt_tokens_details: { cached_tokens: 0 }, total_tokens: prompt + completion };
  const base = { created: 1772304649, id: "chatcmpl-fakeAzure01", model: "gpt-4o-2024-11-20", system_fingerprint: "fp_fake" };
  const promptFilter = [{ prompt_index: 0, content_filter_results: SAFE }];
  if (stream) {
    const data = (f: unknown) => `data: ${JSON.stringify(f)}\n\n`;
    const frames: unknown[] = [{ choices: [], created: 0, id: "", model: "", object: "", prompt_filter_results: promptFilter }];
    const chunk = (delta: unknown, finishReason: string | null = null, cfr: unknown = SAFE) => ({ choices: [{ content_filter_results: cfr, delta, finish_reason: finishReason, index: 0, logprobs: null }], object: "chat.completion.chunk", ...base });
    frames.push(chunk({ content: "", refusal: null, role: "assistant" }, null, {}));
    for (const piece of pieces(text)) frames.push(chunk({ content: piece }));
    if (toolCall) {
      const args = toolCall.function.arguments;
      frames.push(chunk({ tool_calls: [{ index: 0, id: toolCall.id, type: "function", function: { name: callName, arguments: "" } }] }, null, {}));
      for (const part of [args.slice(0, 5), args.slice(5)]) frames.push(chunk({ tool_calls: [{ index: 0, function: { arguments: part } }] }, null, {}));
    }
    const checked = text.length;
    if (blockedLate) return sse([...[...frames, asyncFilterBlock(checked)].map(data), "data: [DONE]\n\n"], { "apim-request-id": "fake-apim-1" });
    frames.push(chunk({}, finish, filtered ? { ...SAFE, violence: { filtered: true, severity: "medium" } } : {}));
    // The asynchronous content filter's annotation: after the finish chunk, no delta, empty id/model/object
    // (https://learn.microsoft.com/en-us/azure/ai-foundry/openai/concepts/content-streaming).
    frames.push({ choices: [{ content_filter_results: SAFE, content_filter_offsets: { check_offset: checked, start_offset: 0, end_offset: checked }, finish_reason: null, index: 0 }], created: 0, id: "", model: "", object: "" });
    if (includeUsage) frames.push({ choices: [], object: "chat.completion.chunk", ...base, usage });
    if (inStream) {
      const sent = inStream === "late" ? frames.slice(0, 3) : [];
      const error = STREAM_ERRORS[inStream === "late" ? "overloaded" : inStream];
      return sse([...sent.map(data), data({ error }), "data: [DONE]\n\n"], { "apim-request-id": "fake-apim-1" });
    }
    return sse([...frames.map(data), "data: [DONE]\n\n"], { "apim-request-id": "fake-apim-1" }, streamFault(deployment));
  }
  return json(200, {
    choices: [
      {
        content_filter_results: filtered ? { ...SAFE, violence: { filtered: true, severity: "medium" } } : SAFE,
        finish_reason: finish,
        index: 0,
        logprobs: null,
        message: { annotations: [], content: text === "" ? null : text, refusal: null, role: "assistant", ...(toolCall ? { tool_calls: [toolCall] } : {}) },
      },
    ],
    object: "chat.completion",
    prompt_filter_results: promptFilter,
    usage,
    ...base,
  });
}

/** Starts the fake on 127.0.0.1 (port 0 unless given); the key it accepts defaults to `test-azure-key`. */
export async function startFakeAzure(opts?: { port?: number; apiKey?: string }): Promise<FakeVendor> {
  const apiKey = opts?.apiKey ?? "test-azure-key";
  return startFakeServer(opts?.port, (req, raw) => answer(req, raw, apiKey));
}
