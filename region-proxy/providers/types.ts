/**
 * The adapter contract. Adapters are pure translators (no sockets, no timers): one executor owns
 * every fetch, timeout, abort, retry and fallback, so every vendor fails the same way and a fixture
 * alone can test an adapter.
 */
import type { NormalizedUsage } from "../../shared/money/cost.ts";
import type { GatewayError } from "../../shared/errors/openai-error.ts";
import type { ProviderKind, SnapshotDeployment } from "../../shared/snapshot/schema.ts";

/** A validated OpenAI chat request. Fields we read are typed; the rest pass through untouched. */
export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  stream: boolean;
  /** stream_options.include_usage as the client asked; adapters always obtain usage regardless. */
  includeUsage: boolean;
  max_tokens?: number;
  max_completion_tokens?: number;
  temperature?: number;
  top_p?: number;
  stop?: string | string[];
  tools?: unknown[];
  tool_choice?: unknown;
  response_format?: unknown;
  /**
   * The per-answer output cap the gateway reserved, set by the route once the limits step admitted the
   * request under a budget or a TPM level and the client named no cap: every adapter sends it as the
   * vendor's cap (OpenAI/Azure `max_completion_tokens`, Gemini `maxOutputTokens`, Anthropic
   * `max_tokens`), so no answer runs past its reservation. Absent: the client's body passes as it is.
   */
  outputCap?: number;
  /** The whole client body as parsed, for OpenAI-format vendors that accept unknown fields. */
  raw: Record<string, unknown>;
}

/**
 * The per-answer output cap of a request: the one reading of it that the limits step (what it
 * reserves) and every adapter (what it asks the vendor for) share. Null when neither the client nor
 * the gateway (`outputCap`) named one.
 *
 * - `send`: what a vendor that takes one cap (Anthropic, Gemini) is asked for: the client's
 *   max_completion_tokens (the field that superseded max_tokens), else its max_tokens, else the
 *   gateway's `outputCap`.
 * - `bound`: the most tokens any vendor may write per answer. OpenAI-format vendors receive both of the
 *   client's fields as sent and may honour either, so it is the larger of the two; never below `send`.
 * - `fromClient`: whether the client named it (an OpenAI-format body then already carries it).
 */
export function outputCapOf(req: ChatRequest): { send: number; bound: number; fromClient: boolean } | null {
  const { max_tokens: legacy, max_completion_tokens: current } = req;
  if (current === undefined && legacy === undefined) {
    return req.outputCap === undefined ? null : { send: req.outputCap, bound: req.outputCap, fromClient: false };
  }
  const send = current ?? legacy!;
  return { send, bound: Math.max(send, legacy ?? 0), fromClient: true };
}

export interface ChatMessage {
  role: "system" | "developer" | "user" | "assistant" | "tool";
  content: string | ContentPart[] | null;
  name?: string;
  tool_calls?: MessageToolCall[];
  tool_call_id?: string;
}

export type ContentPart =
  | { type: "text"; text: string }
  | { type: "image_url"; image_url: { url: string; detail?: string } }
  | { type: string; [field: string]: unknown };

export interface ToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
  /** Vendor data to send back with the call: Gemini's thought signature (gemini/thought-signature.ts). */
  extra_content?: { google?: { thought_signature?: string } };
}

/**
 * A call of one of OpenAI's custom tools (GPT-5), as an assistant message carries it back: free-form
 * `input` text instead of JSON arguments (https://platform.openai.com/docs/api-reference/chat/create,
 * ChatCompletionMessageCustomToolCall). Only OpenAI-format vendors take it (../openai/check-message.ts).
 */
export interface CustomToolCall {
  id: string;
  type: "custom";
  custom: { name: string; input: string };
}

/** A tool call of an assistant message in a request: a function's, or a custom tool's. */
export type MessageToolCall = ToolCall | CustomToolCall;

/** What the executor sends. The URL always derives from an approved deployment's baseUrl. */
export interface VendorHttpRequest {
  url: string;
  method: "POST" | "GET";
  /**
   * Read only: may be one record shared by every request to the deployment, frozen (openai/request.ts
   * makes it once per deployment and credential, with its Headers for fetch, fetch-headers.ts). An
   * adapter that builds on another's (azure/request.ts) copies it.
   */
  headers: Readonly<Record<string, string>>;
  body: string;
  /**
   * The body sends the client's JSON response_format so that the answer's text is the JSON (Anthropic's
   * JSON outputs, output_config.format), not through a tool whose input is the JSON: then the translators
   * are not told the client asked for JSON (ResponseContext.jsonResponse), so the text streams as it
   * comes. Absent: a JSON response_format sets jsonResponse.
   */
  jsonAsText?: boolean;
}

export interface ResponseContext {
  /** The id the client sees (`chatcmpl-...`), stable across chunks. */
  completionId: string;
  /** Unix seconds. */
  created: number;
  /** What the client sees in `model`: the vendor model that answered. */
  model: string;
  /** Whether the client asked for the usage chunk at the end of a stream. */
  includeUsage: boolean;
  /**
   * Whether the client asked for JSON content (response_format json_object or json_schema) and the
   * vendor answers it through a tool (Anthropic's forced JSON tool; not where the built request's
   * jsonAsText says the text is the JSON, VendorHttpRequest): the text the model wrote around that tool is dropped.
   */
  jsonResponse?: boolean;
  /**
   * The request's prompt tokens as the gateway estimates them for `model`: what an answer that reports
   * no usage (an OpenAI-compatible server that omits it) is charged for its input, never nothing.
   */
  promptEstimate?: (model: string) => number;
  /**
   * The vendor's raw text with the deployment's credential cut out (set by the executor). An error event
   * is classified from its data through this, before any excerpt is cut: a key across the cut would
   * otherwise survive in part.
   */
  vendorText?: (text: string) => string;
}

/**
 * A thinking block of a Claude answer as the client gets it and sends it back (`thinking_blocks` on the
 * message, as LiteLLM puts it): the thinking with its signature, or redacted thinking's encrypted data.
 * Anthropic needs them back unchanged (anthropic/thinking-blocks.ts).
 */
export type ThinkingBlock = { type: "thinking"; thinking: string; signature: string } | { type: "redacted_thinking"; data: string };

export interface ChatCompletion {
  id: string;
  object: "chat.completion";
  created: number;
  model: string;
  choices: {
    index: number;
    message: { role: "assistant"; content: string | null; tool_calls?: ToolCall[]; refusal?: string | null; reasoning_content?: string; thinking_blocks?: ThinkingBlock[] };
    finish_reason: string | null;
    logprobs?: unknown;
  }[];
  usage?: OpenAIUsage;
  system_fingerprint?: string | null;
  [field: string]: unknown;
}

export interface ChatCompletionChunk {
  id: string;
  object: "chat.completion.chunk";
  created: number;
  model: string;
  choices: {
    index: number;
    delta: {
      role?: "assistant";
      content?: string | null;
      tool_calls?: { index: number; id?: string; type?: "function"; function?: { name?: string; arguments?: string }; extra_content?: ToolCall["extra_content"] }[];
      refusal?: string | null;
      reasoning_content?: string;
      thinking_blocks?: ThinkingBlock[];
    };
    finish_reason: string | null;
    logprobs?: unknown;
  }[];
  usage?: OpenAIUsage | null;
  [field: string]: unknown;
}

export interface OpenAIUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number; cache_write_tokens?: number; [k: string]: unknown };
  completion_tokens_details?: { reasoning_tokens?: number; [k: string]: unknown };
}

/** One Server-Sent Event, as the shared parser yields it. */
export interface SseEvent {
  event: string | null;
  data: string;
  id: string | null;
}

/** A vendor failure, classified. The executor retries or falls back only when `retryable`. */
export interface VendorError {
  retryable: boolean;
  /** What the client sees if this is the last attempt. */
  clientError: GatewayError;
  /** From the vendor's Retry-After / retry-after-ms, when given. */
  retryAfterMs: number | null;
  /** Short reason for logs and the usage event's attempt trail (`status_503`, `context_length`...). */
  reason: string;
  /**
   * The vendor bills this refusal for the prompt it evaluated (Azure's 400 content_filter): the call is
   * charged as one left without an answer is (walk-chain.ts Trail.unansweredCalls). Absent: an error
   * answer bills nothing.
   */
  billedPrompt?: true;
}

export interface StreamTranslator {
  /**
   * Translates one vendor event into zero or more OpenAI chunks. Throws VendorProtocolError on garbage,
   * VendorStreamError (vendor-stream-error.ts) for an error event the vendor sent.
   */
  onEvent(event: SseEvent): ChatCompletionChunk[];
  /** Called at the end of the vendor stream: trailing chunks and the usage seen (null if none). */
  finish(): { chunks: ChatCompletionChunk[]; usage: NormalizedUsage | null };
  /**
   * True once the vendor sent its end-of-stream marker (OpenAI's `data: [DONE]`, Anthropic's
   * message_stop): the answer is complete, so the reader stops there, calls finish() and closes the
   * vendor call, whatever the vendor sends after it and however long it keeps the connection open.
   * Absent (or never true) for a stream that ends at EOF or softly (endsIfQuietForMs).
   */
  ended?(): boolean;
  /**
   * A soft end, for a vendor with no end marker whose last event cannot be told from the others by
   * itself (Gemini: older models put the finishReason and the cumulative usage on every event). Once
   * an event made the answer read complete, endsIfQuietForMs gives how long the body may stay silent
   * before the stream is over there: an event that comes in time is translated as any other (the answer
   * was not over), EOF ends the stream as always, and a body still silent then ends it as a marker
   * would, its call aborted. Null while the answer is not complete. It is asked once per read of the
   * body, so a translator without it (OpenAI, Anthropic: their markers are hard ends, ended()) arms no
   * timer, and one with it only once its answer reads complete.
   */
  endsIfQuietForMs?(): number | null;
  /**
   * The usage the vendor reported before its stream ended early or was refused (null if none yet):
   * the prompt's counts vendors report up front (Anthropic's message_start, Gemini's every event), or
   * OpenAI's last chunk, on a stream refused for having no choice or cut before [DONE]. Read only
   * when a stream is cut short or refused.
   */
  partialUsage?(): NormalizedUsage | null;
  /**
   * The vendor's count of the whole answer: usage that came on an event after which every choice seen
   * had finished, the usage the stream ends on; null until then. OpenAI format: the `choices: []` usage
   * chunk, or usage on a finish chunk after which every choice has its finish_reason (DeepSeek,
   * Mistral, Together); Anthropic: message_delta with output_tokens (after the last content block,
   * with the stop_reason); Gemini: usageMetadata with the answer's count at or after every candidate's
   * finishReason. Usage that came while a choice was still being written (vLLM's continuous usage,
   * Gemini's running counts) is a running count, not this. A stream cut short after it is charged it
   * as is, as the same stream read to its end and the answer unstreamed are (VendorStream.usageSoFar);
   * before it, the larger of the running count and the streamed-characters estimate.
   */
  finalUsage?(): NormalizedUsage | null;
}

/** What a vendor call asks for: chat every deployment is for, or embeddings, which the caller chose (its route). */
export type VendorOperation = "chat" | "embeddings";

export interface ProviderAdapter {
  readonly kind: ProviderKind;
  buildRequest(req: ChatRequest, target: SnapshotDeployment, credential: string): VendorHttpRequest;
  /**
   * `body`: the vendor's answer, parsed for this call alone (read-whole-answer.ts). An adapter may make
   * it the completion, its fields set in place (openai/response.ts): a caller hands over an object
   * nothing else holds.
   */
  parseResponse(body: unknown, ctx: ResponseContext): { completion: ChatCompletion; usage: NormalizedUsage };
  createStreamTranslator(ctx: ResponseContext): StreamTranslator;
  /**
   * `operation`: what the call asked the vendor for (absent: chat). A vendor's "not served here" (a path
   * 404, Gemini's model 404) is the deployment failing on chat, and the caller's choice on embeddings
   * (deployment-unavailable.ts notServedCause).
   */
  classifyError(status: number, headers: Headers, body: string, operation?: VendorOperation): VendorError;
  /**
   * The usage a 2xx chat body reports, read on its own (null when it reports none usable): for an
   * answer `parseResponse` refused, which the vendor billed all the same, so the request is charged
   * what the vendor reported. Optional: without it such an answer is charged the prompt estimate.
   */
  reportedUsage?(body: unknown): NormalizedUsage | null;
  /**
   * The HTTP status an error object the vendor sent in place of an answer stands for (a 2xx body that
   * is only `{"error": {...}}`, read-whole-answer.ts, chat and embeddings alike), so `classifyError`
   * judges it as that error answered over HTTP. Optional: without it, OpenAI's error model reads it
   * (openai/stream-error.ts streamErrorStatus). Gemini's reads Google's `status` (gemini/errors.ts),
   * Anthropic's its error `type` (anthropic/errors.ts).
   */
  errorStatus?: (error: unknown) => number;
  /** Present when the vendor offers embeddings; errors go through `classifyError` too. */
  embeddings?: EmbeddingsTranslator;
}

/** A validated OpenAI embeddings request (https://platform.openai.com/docs/api-reference/embeddings/create). */
export interface EmbeddingsRequest {
  model: string;
  /** One string, strings, or token arrays, as the client sent it. */
  input: string | string[] | number[] | number[][];
  encodingFormat: "float" | "base64";
  dimensions?: number;
  /** The whole client body, for OpenAI-format vendors that accept unknown fields. */
  raw: Record<string, unknown>;
}

export interface EmbeddingsResponse {
  object: "list";
  data: { object: "embedding"; index: number; embedding: number[] | string }[];
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}

/** What an embeddings translator is told besides the request when it reads an answer. */
export interface EmbeddingsResponseContext {
  /** The deployment's model: the answer's `model` when the vendor names none. */
  model: string;
  /**
   * The input tokens the route reserved the request with (counted once, cached): what an answer
   * without usable usage is charged, when the translator bills by it (OpenAI and Azure, cl100k).
   */
  promptEstimate?: () => number;
}

/** Pure, like the chat translators: OpenAI embeddings in, the vendor's on the wire, OpenAI's out. */
export interface EmbeddingsTranslator {
  buildRequest(req: EmbeddingsRequest, target: SnapshotDeployment, credential: string): VendorHttpRequest;
  parseResponse(body: unknown, req: EmbeddingsRequest, ctx: EmbeddingsResponseContext): { response: EmbeddingsResponse; usage: NormalizedUsage };
  /** As ProviderAdapter.reportedUsage, for an embeddings body `parseResponse` refused. */
  reportedUsage?(body: unknown): NormalizedUsage | null;
}

/** Thrown by a translator when the vendor's bytes are not what its protocol promises. */
export class VendorProtocolError extends Error {
  override readonly name = "VendorProtocolError";
  /**
   * The usage the vendor reported in the 2xx answer this error refused (the vendor billed that call),
   * when it reported a usable one; set by the executor, which has the body (ProviderAdapter.reportedUsage).
   */
  reportedUsage: NormalizedUsage | null = null;
}
