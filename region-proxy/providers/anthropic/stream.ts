/**
 * Anthropic SSE events → OpenAI chat.completion.chunks, one request at a time
 * (https://docs.anthropic.com/en/docs/build-with-claude/streaming). The event flow is message_start,
 * then per content block content_block_start / content_block_delta* / content_block_stop, then
 * message_delta (stop_reason, cumulative usage: its input-side counts are taken unless together they
 * sum to less than message_start's, INPUT_SIDE) and message_stop; ping may come anywhere, and unknown
 * event types must be ignored (Anthropic's versioning policy). message_stop ends the stream (ended()):
 * nothing after it is translated, and when no message_delta stated a stop_reason (null, or none came, as
 * some Anthropic-compatible endpoints stream) it sends the choice's finish chunk (anthropicFinishReason,
 * and any held JSON-mode text), so every stream the client reads finishes its choice once.
 * message_start's output_tokens is a placeholder (1): only a message_delta's output_tokens is the
 * answer's, and a stream whose message_delta brings none (no usage, or output_tokens null, as some
 * Anthropic-compatible endpoints send) ends without usage, charged the input message_start reported and
 * no less than the text it streamed (VendorStream.usageSoFar).
 *
 * Thinking (extended thinking, https://platform.claude.com/docs/en/build-with-claude/streaming): each
 * thinking_delta goes out at once as `delta.reasoning_content`, as the unstreamed answer's
 * reasoning_content (response.ts), so a stream cut short is charged the thinking it showed
 * (usageSoFar counts reasoning_content as reasoning tokens of the output). The blocks themselves, a
 * thinking block with the signature its signature_delta brought (its content_block_stop follows it) and
 * a redacted_thinking block as it came whole, go out all together, in the answer's order, as one
 * `delta.thinking_blocks` just before the finish chunk: the unstreamed message's thinking_blocks, which
 * the client sends back. One delta, because OpenAI's SDK stream helpers keep no list sent piecemeal: the
 * JS helper Object.assigns a delta's unknown fields (the last delta's list replaces the earlier ones) and
 * the Python one (openai-python lib/streaming/_deltas.py accumulate_delta) raises on a second list delta
 * without an `index` key; and Anthropic takes the blocks back only as it wrote them. The delta's blocks
 * carry text already shown and are not counted again.
 *
 * A tool_use block starts with `input: {}` and streams its input as input_json_delta events; a block
 * that gets none keeps the input it started with (Anthropic's SDK MessageStream does the same: only a
 * delta replaces the started block's input), which an Anthropic-format stream built from a whole answer
 * puts there (AntSeed/antseed#15, inflaborg/ccrelay#119): its JSON goes out when the block stops
 * ("{}" when it is empty), so the call's arguments, or the JSON answer, are not lost.
 */
import type { NormalizedUsage } from "../../../shared/money/cost.ts";
import {
  type ChatCompletionChunk,
  type ResponseContext,
  type SseEvent,
  type StreamTranslator,
  type ThinkingBlock,
  VendorProtocolError,
} from "../types.ts";
import { eventJson } from "../event-json.ts";
import { optionalCount, sumCounts } from "../usage-counts.ts";
import { translatedChunks } from "../translated-chunks.ts";
import { VendorStreamError } from "../vendor-stream-error.ts";
import { anthropicErrorStatus, classifyAnthropicError } from "./errors.ts";
import { anthropicFinishReason } from "./stop-reason.ts";
import { answerThinking } from "./thinking-blocks.ts";
import { JSON_TOOL_NAME } from "./tools.ts";
import { type AnthropicUsage, convertAnthropicUsage } from "./usage.ts";

/**
 * `sent`: whether any input JSON went out for the block yet; `started`: the JSON of the input its
 * content_block_start carried, sent at content_block_stop when no delta was (see there). A thinking block
 * keeps its text and signature so far: its whole block is kept once it stops (thinkingBlocks).
 */
type Block =
  | { kind: "text" }
  | { kind: "tool"; toolIndex: number; sent: boolean; started: string }
  | { kind: "json"; sent: boolean; started: string }
  | { kind: "thinking"; thinking: string; signature: string }
  | { kind: "other" };

/**
 * The counts of the prompt, judged together as one total (inputTotal). message_start reports them
 * whole and message_delta's are cumulative (https://platform.claude.com/docs/en/build-with-claude/streaming):
 * the same or more (server tools read more input), never fewer. Some Anthropic-compatible relays send
 * input_tokens 0 there (sglang, sgl-project/sglang#20830 and #33419; envoyproxy/ai-gateway#1631 read
 * such a 0 over the real count): a delta whose counts sum to less than those held is not taken, so the
 * prompt is not charged as if it were none. Others put the whole prompt, cache included, in
 * message_start's input_tokens with no cache counts and give the split only in message_delta (Kimi,
 * QwenCloud: start {input_tokens: 8834}, delta {input_tokens: 18, cache_read_input_tokens: 8831},
 * maximhq/bifrost#5355, #5354): the delta's counts, summing to no less, are all taken, so that prompt
 * is charged once, as the unstreamed answer, not its larger input_tokens plus the cache read. A delta
 * that gives any of the three gives the prompt's split whole: one it leaves out is 0, not the held
 * count, since DashScope's Qwen sends start {input_tokens: 3602}, delta {cache_read_input_tokens: 3604,
 * cache_creation_input_tokens: 0} and no input_tokens (jeremychone/rust-genai#258), and keeping 3602
 * beside the 3604 charged the prompt twice.
 */
const INPUT_SIDE = ["input_tokens", "cache_read_input_tokens", "cache_creation_input_tokens"] as const;

/** The JSON of the input a tool_use block started with: an object's, else "{}" (Anthropic starts every block with {}). */
function startedInput(input: unknown): string {
  return typeof input === "object" && input !== null && !Array.isArray(input) ? JSON.stringify(input) : "{}";
}

/** The sum of a usage's input-side counts (absent is 0), null when one is unusable. */
function inputTotal(usage: AnthropicUsage): number | null {
  return sumCounts(...INPUT_SIDE.map((key) => optionalCount(usage[key])));
}

/** A fresh translator for one streamed request. */
export function createAnthropicStreamTranslator(ctx: ResponseContext): StreamTranslator {
  const blocks = new Map<number, Block>();
  // The answer's whole thinking blocks, sent together once it ends (releaseThinking). Kept as they come,
  // which is the answer's order: each block starts after the one before it stopped, by rising index.
  const thinkingBlocks: ThinkingBlock[] = [];
  const usage: AnthropicUsage = {};
  let sawUsage = false;
  /** A message_delta brought output_tokens: the usage holds the answer's output count, not message_start's placeholder. */
  let sawOutput = false;
  let started = false;
  let stopped = false;
  /** The choice's finish chunk went out (a message_delta with a stop_reason): message_stop sends none. */
  let finished = false;
  let toolCount = 0;
  let sawJson = false;
  const out = translatedChunks(ctx);
  const chunk = out.delta;
  // With response_format, an answer with a JSON-tool block has that block's input alone for content,
  // the model's text dropped wherever it comes, also next to client tool calls (response.ts, which
  // decides on the whole message). A stream cannot look ahead, so in JSON mode text is held (tool use
  // is forced there, so there is rarely any) until the answer ends: dropped if a JSON tool came, sent
  // (after any client tool calls) if, against the forced choice, none did. A JSON response_format sent
  // as JSON outputs (json-output.ts) gets no JSON tool: jsonResponse is false (the built request's jsonAsText, request.ts), and
  // the text, the JSON, streams as it comes.
  let heldText: string | null = ctx.jsonResponse ? "" : null;
  const releaseText = (): ChatCompletionChunk[] => {
    const text = heldText;
    heldText = null;
    return text ? [chunk({ content: text })] : [];
  };

  const mergeUsage = (u: AnthropicUsage | undefined) => {
    if (!u || typeof u !== "object") return;
    // message_delta counts are cumulative: the latest value wins (a count absent or null leaves the
    // held one), except that the input-side counts are taken together or not at all: a delta giving
    // any of them gives all (one absent is 0), and they are not taken when their sum would go down
    // (INPUT_SIDE). A count that is there but not a usable number ("7", -1) is kept
    // as sent, so convertAnthropicUsage finds the usage unusable and the request is charged the
    // estimate, not message_start's early count.
    const next: AnthropicUsage = { ...usage };
    for (const key of ["input_tokens", "output_tokens", "cache_read_input_tokens", "cache_creation_input_tokens"] as const) {
      const value = u[key];
      if (value === undefined || value === null) continue;
      next[key] = value;
      sawUsage = true;
    }
    if (INPUT_SIDE.some((key) => u[key] != null)) for (const key of INPUT_SIDE) if (u[key] == null) next[key] = 0;
    const heldTotal = inputTotal(usage);
    const nextTotal = inputTotal(next);
    if (heldTotal !== null && nextTotal !== null && nextTotal < heldTotal) for (const key of INPUT_SIDE) next[key] = usage[key];
    Object.assign(usage, next);
  };

  function onData(data: Record<string, unknown>): ChatCompletionChunk[] {
    switch (data.type) {
      case "message_start": {
        const message = data.message as { usage?: AnthropicUsage } | undefined;
        if (!message || typeof message !== "object") throw new VendorProtocolError("message_start without a message");
        started = true;
        mergeUsage(message.usage);
        // The role chunk waits for the first real output: until a chunk is out, the executor may still
        // fall back to another deployment when Anthropic sends an overloaded `error` event.
        return [];
      }
      case "content_block_start": {
        const index = data.index as number;
        const block = data.content_block as { type?: unknown; id?: unknown; name?: unknown; input?: unknown; thinking?: unknown; data?: unknown } | undefined;
        if (typeof index !== "number" || !block || typeof block !== "object" || Array.isArray(block)) throw new VendorProtocolError("content_block_start without index or block");
        if (block.type === "text") blocks.set(index, { kind: "text" });
        else if (block.type === "thinking") {
          // Anthropic starts it empty; any text it starts with is thinking shown like a delta's.
          const thinking = typeof block.thinking === "string" ? block.thinking : "";
          blocks.set(index, { kind: "thinking", thinking, signature: "" });
          return thinking === "" ? [] : [chunk({ reasoning_content: thinking })];
        } else if (block.type === "redacted_thinking") {
          // Comes whole, encrypted: nothing to show, the block to send back, as the unstreamed answer gives it.
          blocks.set(index, { kind: "other" });
          const redacted = answerThinking(block);
          if (redacted) thinkingBlocks.push(redacted);
          return [];
        } else if (block.type === "tool_use" && block.name === JSON_TOOL_NAME) {
          // Only the first JSON-tool block is the answer, as unstreamed: a later one would append a
          // second JSON value to the content ({..}{..}), which no client can parse. It is dropped.
          blocks.set(index, sawJson ? { kind: "other" } : { kind: "json", sent: false, started: startedInput(block.input) });
          sawJson = true;
          if (heldText !== null) heldText = "";
        } else if (block.type === "tool_use") {
          // The client's SDK takes id and name as they come: a number would reach its tool call.
          if (typeof block.id !== "string" || typeof block.name !== "string") throw new VendorProtocolError("tool_use block without a string id and name");
          const toolIndex = toolCount++;
          blocks.set(index, { kind: "tool", toolIndex, sent: false, started: startedInput(block.input) });
          return [chunk({ tool_calls: [{ index: toolIndex, id: block.id, type: "function", function: { name: block.name, arguments: "" } }] })];
        } else blocks.set(index, { kind: "other" });
        return [];
      }
      case "content_block_delta": {
        const block = blocks.get(data.index as number);
        const delta = data.delta as { type?: string; text?: string; partial_json?: string; thinking?: unknown; signature?: unknown } | undefined;
        if (!block || !delta) throw new VendorProtocolError("content_block_delta for an unknown block");
        if (delta.type === "text_delta" && typeof delta.text === "string") {
          if (heldText !== null) {
            if (!sawJson) heldText += delta.text;
            return [];
          }
          return delta.text === "" ? [] : [chunk({ content: delta.text })];
        }
        if (delta.type === "input_json_delta" && typeof delta.partial_json === "string" && delta.partial_json !== "") {
          if (block.kind === "json" || block.kind === "tool") block.sent = true;
          if (block.kind === "json") return [chunk({ content: delta.partial_json })];
          if (block.kind === "tool") return [chunk({ tool_calls: [{ index: block.toolIndex, function: { arguments: delta.partial_json } }] })];
        }
        if (block.kind === "thinking" && delta.type === "thinking_delta" && typeof delta.thinking === "string" && delta.thinking !== "") {
          block.thinking += delta.thinking;
          return [chunk({ reasoning_content: delta.thinking })];
        }
        // The signature is of the whole block: it goes out with it when the block stops.
        if (block.kind === "thinking" && delta.type === "signature_delta" && typeof delta.signature === "string") block.signature += delta.signature;
        return []; // citations: nothing an OpenAI chunk can carry
      }
      case "content_block_stop": {
        // A block without input_json_delta keeps the input it started with: a call without arguments
        // (no, or only empty, partial_json, where the unstreamed answer has input {}) gets "{}", so
        // the client's JSON parses; an input sent whole on content_block_start gets that input.
        const block = blocks.get(data.index as number);
        if (block?.kind === "tool" && !block.sent) return [chunk({ tool_calls: [{ index: block.toolIndex, function: { arguments: block.started } }] })];
        if (block?.kind === "json" && !block.sent) return [chunk({ content: block.started })];
        if (block?.kind === "thinking") thinkingBlocks.push(answerThinking({ type: "thinking", thinking: block.thinking, signature: block.signature })!);
        return [];
      }
      case "message_delta": {
        const delta = data.usage as AnthropicUsage | undefined;
        mergeUsage(delta);
        if (delta && typeof delta === "object" && delta.output_tokens !== undefined && delta.output_tokens !== null) sawOutput = true;
        // A stop_reason null is no finish yet: a later message_delta may bring it, else message_stop does.
        const reason = (data.delta as { stop_reason?: string | null } | undefined)?.stop_reason;
        const text = sawJson ? [] : releaseText();
        if (reason === null || reason === undefined || finished) return text;
        finished = true;
        return [...text, ...releaseThinking(), chunk({}, anthropicFinishReason(reason, toolCount, sawJson))];
      }
      case "message_stop": {
        stopped = true;
        if (finished) return [];
        // No message_delta stated a stop_reason (null, or none came): the turn ended all the same.
        finished = true;
        const text = sawJson ? [] : releaseText();
        return [...text, ...releaseThinking(), chunk({}, anthropicFinishReason(null, toolCount, sawJson))];
      }
      case "error": {
        const status = anthropicErrorStatus(data.error);
        const body = JSON.stringify(data);
        throw new VendorStreamError(classifyAnthropicError(status, new Headers(), ctx.vendorText?.(body) ?? body));
      }
      default:
        return []; // ping, and event types added after this was written
    }
  }

  /** The answer's thinking blocks, in its order, as one delta: once, when the answer finishes. */
  function releaseThinking(): ChatCompletionChunk[] {
    if (thinkingBlocks.length === 0) return [];
    return [chunk({ thinking_blocks: thinkingBlocks.splice(0) })];
  }

    /** The answer's usage once message_delta gave its output count, else null: what finish() charges and finalUsage answers. */
  function answerUsage(): NormalizedUsage | null {
    return sawOutput ? convertAnthropicUsage(usage) : null;
  }

  return {
    onEvent(event: SseEvent): ChatCompletionChunk[] {
      if (stopped) return [];
      const data = eventJson(event, "Anthropic");
      if (typeof data !== "object" || data === null) throw new VendorProtocolError("Anthropic sent a non-object event");
      if (!started && (data as { type?: unknown }).type !== "message_start" && (data as { type?: unknown }).type !== "error" && (data as { type?: unknown }).type !== "ping") {
        throw new VendorProtocolError("Anthropic stream did not begin with message_start");
      }
      return out.announce(onData(data as Record<string, unknown>));
    },
    finish() {
      if (!stopped) throw new VendorProtocolError("Anthropic stream ended before message_stop");
      // Without the answer's output count the output is unknown: no usage, so the request is charged as
      // one that sent none (partialUsage's input, the streamed text's estimate), never the placeholder.
      const normalized = answerUsage();
      return { chunks: out.closingUsage(normalized), usage: normalized };
    },
    partialUsage: () => (sawUsage ? convertAnthropicUsage(usage) : null),
    // message_delta's output_tokens is the answer's count (it comes after the last content block, with
    // the stop_reason: the answer has finished), the usage finish() charges.
    finalUsage: answerUsage,
    ended: () => stopped,
  };
}
