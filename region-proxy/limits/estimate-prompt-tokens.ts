/**
 * Prompt tokens before the call, for TPM and the budget reservation. The vendor's usage corrects the
 * charge afterwards, so this must be close and cheap, not exact.
 *
 * OpenAI families: the real BPE (gpt-tokenizer, pure JS, tables shipped in the package) and the
 * chat framing of OpenAI's cookbook "How to count tokens with tiktoken": 3 tokens per message, every
 * field's text (role, content, name) encoded, +1 per name, +3 priming the reply.
 * https://cookbook.openai.com/examples/how_to_count_tokens_with_tiktoken
 *
 * Other families (Anthropic, Gemini, ...) publish no offline tokenizer: the documented approximation is
 * ceil(characters / 4) (both vendors document ~4 characters per token for English) plus 4 tokens of
 * framing per message and 3 for the reply.
 *
 * Images and PDF files are counted as the deployment's vendor bills them for its model (media-tokens.ts):
 * an image by its size, or the model's worst case when the vendor fetches it by URL; a PDF by its pages.
 * An `input_audio` part counts nothing: every adapter refuses it before the call (OpenAI and Azure,
 * ../providers/unpriced-audio.ts, as audio tokens are billed at rates the pricing table does not hold;
 * Anthropic and Gemini, their content translations), so no vendor bills it through the proxy, and
 * counting it here, before the adapter builds the call, would only put a TPM or budget refusal before
 * the 400 that says why (audio-refused-not-estimated.test.ts). An adapter that forwards audio needs its
 * duration counted first: Gemini documents 32 tokens a second (https://ai.google.dev/gemini-api/docs/tokens);
 * OpenAI gives a rate only for its Realtime API, 1 token per 100 ms of user audio
 * (https://developers.openai.com/api/docs/guides/realtime-costs), none for chat completions' input_audio.
 *
 * Tool definitions and a response_format's JSON schema are rendered into the prompt by the vendor and
 * billed as input: their JSON is counted too, and so are the deprecated top-level `functions` (OpenAI's
 * legacy function calling, forwarded to OpenAI-format vendors as sent), as tools are. An assistant
 * message's deprecated `function_call` counts as a tool call does, its name and arguments. (A
 * `prediction`'s content is billed as output, accepted or rejected prediction tokens, not as prompt: it
 * is not counted here.)
 */
import { boundedMemo } from "../../shared/bounded-memo.ts";
import { ROLES } from "../openai/check-message.ts";
import type { ChatMessage, ChatRequest, ContentPart } from "../providers/types.ts";
import { countedCalls } from "../providers/usage-counts.ts";
import { isMediaPart, mediaTokens } from "./media-tokens.ts";
import { baseModelName, saysGpt4oMini } from "./model-name.ts";
import { createTokenCountCache } from "./token-count-cache.ts";

type Counter = (text: string) => number;
type Encoding = "o200k_base" | "cl100k_base";

const TOKENS_PER_MESSAGE = 3;
const TOKENS_PER_NAME = 1;
const REPLY_PRIMING = 3;
const APPROX_TOKENS_PER_MESSAGE = 4;

/**
 * Which BPE an OpenAI model uses, or null when the model is not an OpenAI family we know.
 * @example encodingFor("gpt-4o-mini") // "o200k_base"; encodingFor("claude-sonnet-4") // null
 */
export function encodingFor(vendorModel: string): Encoding | null {
  return encodings.get(vendorModel, familyEncoding);
}

/**
 * Each model's encoding, once worked out (the deployments' model names, looked up on every estimate).
 * A snapshot names a handful of models; a bound keeps arbitrary names from growing the memo.
 */
const encodings = boundedMemo<Encoding | null>(1_000);

function familyEncoding(vendorModel: string): Encoding | null {
  const m = baseModelName(vendorModel); // "openai/gpt-4o" and a fine-tune's "ft:gpt-4o-mini-…" too
  // A deployment named prod-gpt-4o-mini-eu has its images priced as gpt-4o-mini's: its text is that model's too.
  if (saysGpt4oMini(m)) return "o200k_base";
  if (/^(gpt-4o|chatgpt-4o|gpt-4\.1|gpt-4\.5|gpt-5|o1|o3|o4)/.test(m)) return "o200k_base";
  // text-embedding-3-small/-large and text-embedding-ada-002 count (and bill) with cl100k_base.
  if (/^(gpt-4|gpt-3\.5|text-embedding-)/.test(m)) return "cl100k_base";
  return null;
}

/**
 * Loads an encoding on first use. The tables cost ~0.3-0.8 s to build, so a proxy whose models are not
 * OpenAI's never pays for them. Each encoding's counter is made once per process: long texts (system
 * prompts, earlier turns of a chat) come again, and each is tokenized once per encoding.
 */
function counterFor(encoding: Encoding): Counter {
  return (counters[encoding] ??= cachedCounter(
    encoding === "o200k_base"
      ? (require("gpt-tokenizer/encoding/o200k_base") as typeof import("gpt-tokenizer/encoding/o200k_base"))
      : (require("gpt-tokenizer/encoding/cl100k_base") as typeof import("gpt-tokenizer/encoding/cl100k_base")),
  ));
}

const counters: Partial<Record<Encoding, Counter>> = {};

/**
 * A role the parser admits (openai/check-message.ts ROLES) is the gateway's word, not the client's
 * text, so its count is kept per encoding instead of run through the BPE for every message.
 */
const roleCounts: Partial<Record<Encoding, Map<string, number>>> = {};

function roleTokens(role: string, encoding: Encoding, count: Counter): number {
  if (!ROLES.has(role)) return count(role);
  const known = (roleCounts[encoding] ??= new Map());
  let tokens = known.get(role);
  if (tokens === undefined) known.set(role, (tokens = count(role)));
  return tokens;
}

/**
 * A prompt's text is text: the spelling of a special token in it ("<|endoftext|>") is counted as the
 * characters it is, as OpenAI reads a message's content. gpt-tokenizer's default refuses such text
 * with a throw (the request would fail as an internal error); with no token disallowed it also skips
 * the scan for them that precedes every count.
 */
const AS_TEXT = { disallowedSpecial: new Set<string>() };

function cachedCounter(module: { countTokens(text: string, options: typeof AS_TEXT): number; setMergeCacheSize(size: number): void }): Counter {
  // gpt-tokenizer's own merge cache (on by default, per encoding module) keeps up to 100,000 pre-tokens
  // verbatim, words and keys of prompts, in tens of MB, and once full each new word evicts the first key
  // of a Map (slow on JavaScriptCore): off. The hash cache below remembers long texts, never their text.
  module.setMergeCacheSize(0);
  const cache = createTokenCountCache();
  const countSlice: Counter = (slice) => (slice === "" ? 0 : module.countTokens(slice, AS_TEXT));
  const bpe: Counter = (text) => countInSlices(text, countSlice);
  return (text) => cache.count(text, bpe);
}

/**
 * BPE merges one pre-token (a run of letters, say) in time that grows with the square of its length:
 * 100 KB of letters (or of blank lines) takes seconds, an easy way to stall the event loop. Runs longer than
 * this are counted in slices; each cut can add about one token, a tiny over-estimate on text that odd.
 */
export const MAX_RUN_CHARS = 128;
const LONG_RUN = new RegExp(`\\s{${MAX_RUN_CHARS + 1},}|\\S{${MAX_RUN_CHARS + 1},}`, "g");

/** `count` over `text`, slicing any run of spaces or of non-spaces longer than MAX_RUN_CHARS. */
export function countInSlices(text: string, count: Counter): number {
  if (text.length <= MAX_RUN_CHARS) return count(text); // no run can be longer than the text
  let total = 0;
  let last = 0;
  for (const match of text.matchAll(LONG_RUN)) {
    total += count(text.slice(last, match.index));
    for (let i = 0; i < match[0].length; i += MAX_RUN_CHARS) total += count(match[0].slice(i, i + MAX_RUN_CHARS));
    last = match.index + match[0].length;
  }
  return total + count(text.slice(last));
}

/**
 * The BPE count of one text for an OpenAI-format deployment's model, through the same cached counter
 * as chat prompts; cl100k_base when the name is no family known here (an Azure deployment's own name, a
 * compatible server's model), the encoding of every OpenAI embedding model.
 * @example countOpenAITextTokens("hello world", "text-embedding-3-small") // 2
 */
export function countOpenAITextTokens(text: string, vendorModel: string): number {
  return counterFor(encodingFor(vendorModel) ?? "cl100k_base")(text);
}

/** Loads the tokenizer tables at start-up so the first request does not pay for them. */
export function preloadTokenizers(): void {
  counterFor("o200k_base")("");
  counterFor("cl100k_base")("");
}

/** The texts a message carries, its role first; its image and file parts go to `media`. */
function messageParts(message: ChatMessage, media: ContentPart[]): string[] {
  const texts: string[] = [message.role];
  if (typeof message.content === "string") texts.push(message.content);
  else if (Array.isArray(message.content)) {
    for (const part of message.content) {
      if (part && typeof (part as { text?: unknown }).text === "string") texts.push((part as { text: string }).text);
      else if (isMediaPart(part)) media.push(part);
    }
  }
  if (typeof message.name === "string") texts.push(message.name);
  // Its tool_calls or its deprecated function_call (not in ChatMessage's type; the parser checks its
  // name and arguments are strings), the larger: a replayed llama-cpp-python answer carries one call
  // in both (countedCalls). A custom tool's free-form input is what a function's JSON arguments are.
  // A message with neither (most of them) has no call to count.
  const holder = message as unknown as Record<string, unknown>;
  if (holder.tool_calls !== undefined || holder.function_call !== undefined) {
    for (const call of countedCalls(holder) as ToolCallLike[]) {
      if (call.type === "custom") texts.push(call.custom?.name ?? "", call.custom?.input ?? "");
      else texts.push(...functionCallTexts(call.function));
    }
  }
  if (typeof message.tool_call_id === "string") texts.push(message.tool_call_id);
  return texts;
}

/** A tool call as sent, or a legacy function_call as one (`{ function }`). */
type ToolCallLike = { type?: string; custom?: { name?: string; input?: string }; function?: unknown };

/** A function call's name and JSON arguments (a tool call's `function`, or a legacy `function_call`), "" for either missing. */
function functionCallTexts(call: unknown): [string, string] {
  const { name, arguments: args } = (call ?? {}) as { name?: unknown; arguments?: unknown };
  return [typeof name === "string" ? name : "", typeof args === "string" ? args : ""];
}

/**
 * Estimated prompt tokens of a chat request for the deployment's vendor model.
 * @example estimatePromptTokens({ messages: [{ role: "user", content: "Say this is a test!" }], ... }, "gpt-4") // 13
 */
export function estimatePromptTokens(req: ChatRequest, vendorModel: string): number {
  const encoding = encodingFor(vendorModel);
  const count: Counter = encoding ? counterFor(encoding) : approximate;
  const perMessage = encoding ? TOKENS_PER_MESSAGE : APPROX_TOKENS_PER_MESSAGE;
  let tokens = REPLY_PRIMING;
  const media: ContentPart[] = [];
  for (const message of req.messages) {
    const texts = messageParts(message, media);
    tokens += perMessage;
    if (encoding) {
      // texts[0] is the role (messageParts), counted once per encoding.
      tokens += roleTokens(message.role, encoding, count);
      for (let i = 1; i < texts.length; i++) tokens += count(texts[i]!);
    }
    else tokens += approximateAll(texts);
    if (typeof message.name === "string") tokens += TOKENS_PER_NAME;
  }
  if (media.length > 0) tokens += mediaTokens(media, vendorModel);
  // Tool definitions are rendered into the prompt by the vendor; their JSON is a close upper bound.
  // The deprecated `functions` too: only the client's body (`raw`) holds them.
  tokens += definitionTokens(req.tools, count) + definitionTokens(req.raw.functions, count);
  // So is a response_format's JSON schema (billed as prompt tokens): counted as tools are.
  if (req.response_format !== undefined) tokens += responseSchemaTokens(req.response_format, count);
  return tokens;
}

/** The documented approximation for other families: ceil(characters / 4). */
const approximate: Counter = (text) => Math.ceil(text.length / 4);

/** approximate over a message's texts together: their characters summed (their concatenation's length, without making it). */
function approximateAll(texts: string[]): number {
  let chars = 0;
  for (const text of texts) chars += text.length;
  return Math.ceil(chars / 4);
}

/** The tokens of a list of tool (or legacy function) definitions, as sent: their JSON; 0 for none. */
function definitionTokens(definitions: unknown, count: Counter): number {
  return Array.isArray(definitions) && definitions.length > 0 ? count(JSON.stringify(definitions)) : 0;
}

/**
 * The tokens of a json_schema response_format's schema (its name, description and schema, as sent),
 * 0 for any other format (text, json_object), which carries no schema.
 */
function responseSchemaTokens(format: unknown, count: Counter): number {
  const { type, json_schema } = (format ?? {}) as { type?: unknown; json_schema?: unknown };
  if (type !== "json_schema" || json_schema === undefined) return 0;
  return count(JSON.stringify(json_schema));
}
