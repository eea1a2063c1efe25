/**
 * A fake Gemini API (https://ai.google.dev/api/generate-content) for tests, serving `/v1beta/models/<id>:…`
 * and `/v1beta/tunedModels/<id>:…` (an id with an encoded `/` is Google's 404 for a model it does not
 * have, `models/models/x is not found ...`: the id is one segment): `x-goog-api-key` (or
 * `?key=`) check answered as Google does (400 API_KEY_INVALID), Google's error JSON, generateContent
 * and streamGenerateContent (`alt=sse` → SSE with CRLF framing; without it, a JSON array). It echoes
 * the last user text; with function declarations and "call tool" in that text (or mode ANY) it calls a
 * function. generationConfig.candidateCount (1-8) answers that many candidates, each with its index,
 * the second on echoing "Echo take 2: ..." (models named gemini-3* refuse more than one, as Gemini 3
 * does). Fault modes by model name: error-500, overloaded (503), rate-limit (429 + RetryInfo),
 * error-400, context-length, hang, garbage, stream-cut, stream-hang, safety (prompt blocked), and the
 * in-stream errors of an `alt=sse` stream stream-error-overloaded (an UNAVAILABLE 503 error object
 * before any event), stream-error-invalid (an INVALID_ARGUMENT 400 one) and stream-error-late (the
 * first text event, then the UNAVAILABLE one), written into the body as Google writes them: the error
 * JSON on lines of its own, not a `data:` event (streamError; asked for otherwise, the overloaded and
 * error-400 answers); models named gemini-3* sign each function call they answer with a thoughtSignature
 * and take replayed model turns only with a signature on the first call, one they issued or Google's
 * bypass value, as Gemini 3 does (gemini-thought-signatures.ts), and refuse a content in which a part of another kind
 * follows a functionResponse part (gemini-function-responses.ts); every model refuses a call turn whose next content
 * does not hold one functionResponse part per functionCall part, in Gemini's words (unansweredCalls). Models containing "thinking" report thought tokens, "cached" cached tokens, "stall"
 * go silent after the first streamed event.
 * malformed-call ends with finishReason MALFORMED_FUNCTION_CALL and no content, as Gemini does when the
 * model's function call cannot be parsed; malformed-call-after-text writes its echo first. `:embedContent` and `:batchEmbedContents` answer
 * `{"embedding":{"values":[...]}}` / `{"embeddings":[{"values":[...]}]}` (https://ai.google.dev/api/embeddings),
 * checking that each request names the same model as the URL, that a batch holds at most 100 and that
 * outputDimensionality is at most the model's size (768 for text-embedding-004, else 3072); fewer
 * dimensions than that are not unit-length, as Gemini's are not. A field it
 * reads that protobuf JSON would not parse is Google's 400 naming it (gemini-request.ts), as are a
 * thinkingBudget together with a thinkingLevel and a thinkingConfig the model does not take (gemini-thinking.ts),
 * and a schema keyword on a type Gemini does not take it on: an enum on a schema whose type is not
 * STRING, properties or required on one whose type is not OBJECT, an OBJECT without properties in a
 * response schema or as a declaration's whole parameters, a required entry naming no property
 * (gemini-schema-types.ts). It holds no uploaded files:
 * a part naming a Files API URI is Google's 403 PERMISSION_DENIED for a file it cannot read (gemini-files.ts).
 */
import { type FakeVendor, type RecordedRequest, countTokens, decodeSegment, garbage, hang, json, pieces, sse, startFakeServer, type StreamErrorMode, streamErrorMode, streamFault } from "./fake-server.ts";
import { type Content, type GenerateRequest, type Part, readGenerateRequest, readInt32, readParts } from "./gemini-request.ts";
import { unreadableFile, unsupportedFileUri } from "./gemini-files.ts";
import { schemaTypeRefusal } from "./gemini-schema-types.ts";
import { thinkingRefusal } from "./gemini-thinking.ts";
import { type ThoughtSignatures, thoughtSignatures } from "./gemini-thought-signatures.ts";
import { mixedFunctionResponse, unansweredCalls } from "./gemini-function-responses.ts";

const googleError = (code: number, status: string, message: string, details: unknown[] = []) =>
  json(code, { error: { code, message, status, ...(details.length > 0 ? { details } : {}) } });

/**
 * The error a stream-error-* model (fake-server.ts's streamErrorMode) writes into its 200 SSE body:
 * Google's error JSON, indented over several lines and not framed as a `data:` event, as Google's own
 * SDKs read it (python-genai's HttpResponse._iter_response_stream: "When API returns an error message,
 * it comes line by line", buffered until its braces balance; js-genai's processStreamResponse parses
 * a raw chunk as JSON and throws ApiError for its `error`, https://github.com/googleapis/js-genai) and
 * as it was captured mid-stream (https://github.com/vercel/ai/issues/5217). The invalid one is the
 * fake's error-400.
 */
function streamError(mode: StreamErrorMode): string {
  const error = mode === "invalid"
    ? { code: 400, message: "Invalid value at 'contents[0].parts[0]' (oneof), oneof field 'data' is already set.", status: "INVALID_ARGUMENT" }
    : { code: 503, message: "The model is overloaded. Please try again later.", status: "UNAVAILABLE" };
  return `${JSON.stringify({ error }, null, 2)}\n`;
}

function lastUserText(contents: Content[]): string {
  for (let i = contents.length - 1; i >= 0; i--) {
    const c = contents[i]!;
    if (c.role !== "user") continue;
    const text = c.parts.filter((p) => typeof p.text === "string").map((p) => p.text as string).join(" ");
    if (text !== "") return text;
    if (c.parts.some((p) => p.functionResponse)) return "tool result received";
  }
  return "";
}

/** One candidate's answer. */
interface Answer {
  text: string;
  call: { name: string; args: Record<string, unknown> } | null;
  /** The thoughtSignature on the call's part (Gemini 3 signs its function calls). */
  signature?: string;
  finishReason: string;
}

/** A's function call as Gemini's part: signed when the model signs its calls. */
const callPart = (a: Answer): Part => ({ functionCall: a.call, ...(a.signature ? { thoughtSignature: a.signature } : {}) });

interface Plan {
  /** One per candidate (generationConfig.candidateCount), candidate i at [i]. */
  answers: Answer[];
  /** usageMetadata counts every candidate's tokens. */
  usage: Record<string, number>;
}

/**
 * Candidate i's answer: the echo ("Echo take 2: ..." from the second on, so each candidate is told
 * apart), or the function call, cut at the stop sequences and maxOutputTokens (which caps each
 * candidate: "The maximum number of tokens to include in a candidate").
 */
function answerOf(model: string, req: GenerateRequest, userText: string, i: number): Answer {
  let call: Answer["call"] = null;
  if (req.functions.length > 0 && req.mode !== "NONE" && (req.mode === "ANY" || userText.includes("call tool"))) {
    call = { name: req.allowedFunctionNames[0] ?? req.functions[0]!, args: { echo: userText } };
  }
  const take = i === 0 ? "" : ` take ${i + 1}`;
  let text = call ? "" : req.responseMimeType === "application/json" ? JSON.stringify(i === 0 ? { echo: userText } : { echo: userText, take: i + 1 }) : `Echo${take}: ${userText}`;
  let finishReason = "STOP";
  if (model.startsWith("malformed-call")) {
    call = null;
    if (model !== "malformed-call-after-text") text = "";
    finishReason = "MALFORMED_FUNCTION_CALL";
  }
  for (const stop of req.stopSequences) {
    const at = text.indexOf(stop);
    if (at >= 0) text = text.slice(0, at);
  }
  const words = pieces(text);
  if (req.maxOutputTokens !== undefined && words.length > req.maxOutputTokens) {
    text = words.slice(0, req.maxOutputTokens).join("");
    finishReason = "MAX_TOKENS";
  }
  return { text, call, finishReason };
}

/** `body` as sent, for the prompt's token count; `req` as read from it; `sign` gives each function call its thought signature (Gemini 3). */
function plan(model: string, req: GenerateRequest, body: Record<string, unknown>, sign: (() => string) | null): Plan {
  const userText = lastUserText(req.contents);
  const answers = Array.from({ length: req.candidateCount }, (_, i) => answerOf(model, req, userText, i));
  if (sign) for (const a of answers) if (a.call) a.signature = sign();
  const prompt = countTokens(JSON.stringify([body.systemInstruction ?? "", body.contents, body.tools ?? []]));
  const candidates = answers.reduce((sum, a) => sum + pieces(a.text).length + (a.call ? 5 : 0), 0);
  const thoughts = model.includes("thinking") ? 13 * answers.length : 0;
  const usage: Record<string, number> = { promptTokenCount: prompt, candidatesTokenCount: candidates, totalTokenCount: prompt + candidates + thoughts };
  if (thoughts) usage.thoughtsTokenCount = thoughts;
  if (model.includes("cached")) usage.cachedContentTokenCount = Math.min(prompt, 4);
  return { answers, usage };
}

/**
 * The stream's events. Each candidate writes two words per event, like Gemini's chunking, then its
 * last candidate (finishReason, or the function call); event k carries the k-th piece of every
 * candidate still writing, each with its index, so a shorter candidate ends in an earlier event than
 * a longer one. Every event carries the prompt's counts (cached tokens included), the last the totals.
 */
function events(model: string, p: Plan): unknown[] {
  const base = { modelVersion: model, responseId: "fakeResp01" };
  const promptCounts: Record<string, number> = { promptTokenCount: p.usage.promptTokenCount! };
  if (p.usage.cachedContentTokenCount !== undefined) promptCounts.cachedContentTokenCount = p.usage.cachedContentTokenCount;
  const perCandidate = p.answers.map((a, index) => {
    const textPieces = pieces(a.text);
    const steps: Record<string, unknown>[] = [];
    for (let i = 0; i < textPieces.length; i += 2) steps.push({ content: { role: "model", parts: [{ text: textPieces.slice(i, i + 2).join("") }] }, index });
    steps.push(lastCandidate(a, index, a.call ? [callPart(a)] : [{ text: "" }]));
    return steps;
  });
  const count = Math.max(...perCandidate.map((steps) => steps.length));
  return Array.from({ length: count }, (_, k) => ({
    candidates: perCandidate.flatMap((steps) => (k < steps.length ? [steps[k]!] : [])),
    usageMetadata: k === count - 1 ? p.usage : promptCounts,
    ...base,
  }));
}

/** The candidate that ends an answer; an unusable function call comes with a finishMessage and no content. */
function lastCandidate(a: Answer, index: number, parts: Part[]): Record<string, unknown> {
  if (a.finishReason === "MALFORMED_FUNCTION_CALL") return { finishReason: a.finishReason, finishMessage: "Malformed function call: print(default_api.get_weather(city=", index };
  return { content: { role: "model", parts }, finishReason: a.finishReason, index };
}

/**
 * gemini-embedding-001 answers 3072 values, text-embedding-004 768
 * (https://ai.google.dev/gemini-api/docs/embeddings#control-embedding-size); outputDimensionality cuts
 * them from the end, so it may ask for fewer, never more. Only the full size is unit-length: fewer
 * dimensions are the first values of that vector, not normalized again
 * (https://ai.google.dev/gemini-api/docs/embeddings#ensuring-quality-for-smaller-dimensions). The fake's
 * default is 5 values, unit-length.
 */
const maxDimensionality = (model: string) => (model.includes("text-embedding-004") ? 768 : 3072);

/** One request's values, or Google's 400 naming `field` (`requests[0].` in a batch) under `request` (the request type). */
function embedOne(model: string, request: string, field: string, content: unknown, dimensionality: unknown): number[] | Response {
  const invalid = (message: string) => googleError(400, "INVALID_ARGUMENT", message);
  if (content != null && (typeof content !== "object" || Array.isArray(content))) return invalid(`Invalid value at '${field}content' (type.googleapis.com/google.ai.generativelanguage.v1beta.Content), ${JSON.stringify(content)}`);
  const parts = readParts((content as { parts?: unknown } | null)?.parts, `${field}content.parts`);
  if (typeof parts === "string") return invalid(parts);
  const text = parts.map((p) => (typeof p.text === "string" ? p.text : "")).join("");
  if (text === "") return invalid(`* ${request}.${field}content: contents is not specified`);
  // A protobuf int32: anything else is not even parsed.
  const asked = readInt32(dimensionality, `${field}output_dimensionality`);
  if (typeof asked === "object") return invalid(asked.problem);
  const max = maxDimensionality(model);
  if (asked !== undefined && (asked < 1 || asked > max)) return invalid(`* ${request}.${field}output_dimensionality: must be between 1 and ${max}, got ${asked}`);
  if (asked === undefined) return unitVector(text, 5);
  return unitVector(text, max).slice(0, asked);
}

/** A deterministic unit-length vector of `n` values from the text. */
function unitVector(text: string, n: number): number[] {
  const values = Array.from({ length: n }, (_, i) => Math.sin(text.length * 0.1 + i));
  const norm = Math.sqrt(values.reduce((sum, v) => sum + v * v, 0));
  return values.map((v) => v / norm);
}

function embed(model: string, resource: string, method: string, body: Record<string, unknown> | null): Response {
  if (model === "error-500") return googleError(500, "INTERNAL", "An internal error has occurred.");
  if (method === "embedContent") {
    const values = embedOne(model, "EmbedContentRequest", "", body?.content, body?.outputDimensionality);
    return values instanceof Response ? values : json(200, { embedding: { values } });
  }
  const requests = body?.requests;
  if (!Array.isArray(requests) || requests.length === 0) return googleError(400, "INVALID_ARGUMENT", "* BatchEmbedContentsRequest.requests: requests is not specified");
  // Gemini's batch limit, as the API answers past it.
  if (requests.length > 100) return googleError(400, "INVALID_ARGUMENT", "* BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch");
  const out: { values: number[] }[] = [];
  for (const [i, r] of requests.entries()) {
    if (typeof r !== "object" || r === null || Array.isArray(r)) return googleError(400, "INVALID_ARGUMENT", `Invalid value at 'requests[${i}]' (type.googleapis.com/google.ai.generativelanguage.v1beta.EmbedContentRequest), ${JSON.stringify(r)}`);
    if ((r as { model?: unknown }).model !== resource) return googleError(400, "INVALID_ARGUMENT", `* BatchEmbedContentsRequest.requests[${i}].model: model must match the request URL`);
    const values = embedOne(model, "BatchEmbedContentsRequest", `requests[${i}].`, (r as { content?: unknown }).content, (r as { outputDimensionality?: unknown }).outputDimensionality);
    if (values instanceof Response) return values;
    out.push({ values });
  }
  return json(200, { embeddings: out });
}

function answer(req: RecordedRequest, raw: Request, apiKey: string, signatures: ThoughtSignatures): Response | Promise<Response> {
  const url = new URL(req.path, "http://fake");
  const match = /^\/v1beta\/(models|tunedModels)\/([^/:]+):(generateContent|streamGenerateContent|embedContent|batchEmbedContents)$/.exec(url.pathname);
  const model = match ? decodeSegment(match[2]!) : null;
  if (model === null) return googleError(404, "NOT_FOUND", `The requested URL ${url.pathname} was not found on this server.`);
  const method = match![3]!;
  const resource = `${match![1]}/${model}`;
  const key = req.headers["x-goog-api-key"] ?? url.searchParams.get("key");
  if (key !== apiKey) {
    return googleError(400, "INVALID_ARGUMENT", "API key not valid. Please pass a valid API key.", [
      { "@type": "type.googleapis.com/google.rpc.ErrorInfo", reason: "API_KEY_INVALID", domain: "googleapis.com", metadata: { service: "generativelanguage.googleapis.com" } },
    ]);
  }
  // An encoded / is part of the id, so Google looks for a model it does not have (models/models/x).
  if (model.includes("/")) return googleError(404, "NOT_FOUND", `${resource} is not found for API version v1beta, or is not supported for ${method}. Call ListModels to see the list of available models and their supported methods.`);
  if (method === "embedContent" || method === "batchEmbedContents") return embed(model, resource, method, req.body as Record<string, unknown> | null);
  const body = req.body as Record<string, unknown> | null;
  if (typeof body !== "object" || body === null) return googleError(400, "INVALID_ARGUMENT", "Invalid JSON payload received.");
  const request = readGenerateRequest(body);
  if (typeof request === "string") return googleError(400, "INVALID_ARGUMENT", request);
  const misplacedKeyword = schemaTypeRefusal(body);
  if (misplacedKeyword) return googleError(400, "INVALID_ARGUMENT", misplacedKeyword);
  const fileDenied = unreadableFile(request.contents);
  if (fileDenied) return googleError(403, "PERMISSION_DENIED", fileDenied);
  const fileUri = unsupportedFileUri(model, request.contents);
  if (fileUri) return googleError(400, "INVALID_ARGUMENT", fileUri);
  const thinking = thinkingRefusal(model, request.thinking);
  if (thinking) return googleError(400, "INVALID_ARGUMENT", thinking);
  const unanswered = unansweredCalls(request.contents);
  if (unanswered) return googleError(400, "INVALID_ARGUMENT", unanswered);
  const signs = model.startsWith("gemini-3");
  if (signs) {
    const refused = signatures.check(request.contents) ?? mixedFunctionResponse(request.contents);
    if (refused) return googleError(400, "INVALID_ARGUMENT", refused);
  }
  // Gemini 2.5 writes up to 8 candidates; the Gemini 3 models refuse more than one
  // (https://github.com/googleapis/js-genai/issues/1609).
  if (request.candidateCount > 1 && model.startsWith("gemini-3")) return googleError(400, "INVALID_ARGUMENT", "Multiple candidates is not enabled for this model");
  if (request.candidateCount < 1 || request.candidateCount > 8) {
    return googleError(400, "INVALID_ARGUMENT", `Unable to submit request because it has a candidateCount value of ${request.candidateCount} but the supported range is from 1 (inclusive) to 9 (exclusive). Update the value and try again.`);
  }
  const inStream = streamErrorMode(model);
  const sseStream = method === "streamGenerateContent" && url.searchParams.get("alt") === "sse";
  switch (inStream === null || sseStream ? model : inStream === "invalid" ? "error-400" : "overloaded") {
    case "error-500":
      return googleError(500, "INTERNAL", "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting");
    case "overloaded":
      return googleError(503, "UNAVAILABLE", "The model is overloaded. Please try again later.");
    case "rate-limit":
      return googleError(429, "RESOURCE_EXHAUSTED", "You exceeded your current quota, please check your plan and billing details.", [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay: "1s" }]);
    case "error-400":
      return googleError(400, "INVALID_ARGUMENT", "Invalid value at 'contents[0].parts[0]' (oneof), oneof field 'data' is already set.");
    case "context-length":
      return googleError(400, "INVALID_ARGUMENT", "The input token count (1234567) exceeds the maximum number of tokens allowed (1048576).");
    case "hang":
      return hang(raw);
    case "garbage":
      return garbage(method === "streamGenerateContent");
  }
  const safety = model === "safety";
  const p = plan(model, request, body, signs ? signatures.issue : null);
  const all = safety
    ? [{ promptFeedback: { blockReason: "SAFETY", safetyRatings: [{ category: "HARM_CATEGORY_HATE_SPEECH", probability: "HIGH" }] }, usageMetadata: { promptTokenCount: p.usage.promptTokenCount, totalTokenCount: p.usage.promptTokenCount }, modelVersion: model }]
    : events(model, p);
  if (sseStream) {
    const frames = all.map((e) => `data: ${JSON.stringify(e)}\r\n\r\n`);
    if (inStream) return sse([...frames.slice(0, inStream === "late" ? 1 : 0), streamError(inStream)]);
    return sse(frames, {}, streamFault(model, 1));
  }
  if (method === "streamGenerateContent") return json(200, all);
  if (safety) return json(200, all[0]);
  const candidates = p.answers.map((a, index) => {
    const parts: Part[] = [];
    if (a.text !== "") parts.push({ text: a.text });
    if (a.call) parts.push(callPart(a));
    return lastCandidate(a, index, parts);
  });
  return json(200, { candidates, usageMetadata: p.usage, modelVersion: model, responseId: "fakeResp01" });
}

/** Starts the fake on 127.0.0.1 (port 0 unless given); the key it accepts defaults to `test-gemini-key`. */
export async function startFakeGemini(opts?: { port?: number; apiKey?: string }): Promise<FakeVendor> {
  const apiKey = opts?.apiKey ?? "test-gemini-key";
  const signatures = thoughtSignatures();
  return startFakeServer(opts?.port, (req, raw) => answer(req, raw, apiKey, signatures));
}
