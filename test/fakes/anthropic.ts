/**
 * A fake Anthropic Messages API (https://docs.anthropic.com/en/api/messages) for tests: x-api-key and
 * anthropic-version checks, Anthropic's error JSON and statuses, unstreamed Messages and the real
 * streaming event sequence. It echoes the last user text; with tools and "call tool" in that text (or
 * a forced tool_choice) it calls a tool. Fault modes by model name: error-500, overloaded (529),
 * rate-limit (429 + retry-after), error-400, context-length, hang, garbage (a 200 that is not the
 * protocol), stream-cut and stream-hang (a stream that stops after two events), and the in-stream
 * errors (`event: error`, STREAM_ERRORS) stream-error-overloaded (message_start, then an
 * overloaded_error event), stream-error-invalid (message_start, then an invalid_request_error event)
 * and stream-error-late (the events up to the first text delta, then the overloaded_error event),
 * unstreamed the overloaded and error-400 answers; models containing "stall" go silent after the
 * first text delta, "cached" report prompt-cache tokens, "preamble" write a text block before the tool
 * they call. With extended thinking on, the answer starts with a thinking block signed as the fake
 * checks it when sent back (anthropic-thinking.ts), and models containing "redacted" add a
 * redacted_thinking block after it; both count toward output_tokens. With JSON outputs (output_config.format)
 * an answer that calls no tool is JSON following their schema (anthropic-json-output.ts). A request with cache_control breakpoints writes and reads the fake's prompt cache
 * (anthropic-cache.ts). A field it reads that is not what Anthropic takes is Anthropic's 400 naming it
 * (anthropic-request.ts).
 */
import { cacheUsage } from "./anthropic-cache.ts";
import { sampleJson } from "./anthropic-json-output.ts";
import { fakeSignature, REDACTED_DATA } from "./anthropic-thinking.ts";
import { type AnthropicMessage, type Block, type MessagesRequest, readMessagesRequest } from "./anthropic-request.ts";
import { type FakeVendor, type RecordedRequest, countTokens, garbage, hang, json, pieces, sse, startFakeServer, streamErrorMode, streamFault } from "./fake-server.ts";

const error = (status: number, type: string, message: string, headers: Record<string, string> = {}) =>
  json(status, { type: "error", error: { type, message }, request_id: "req_fake0000000000000000001" }, { "request-id": "req_fake0000000000000000001", ...headers });

function textOf(content: string | Block[]): string {
  if (typeof content === "string") return content;
  return content.filter((b) => b.type === "text").map((b) => b.text).join(" ");
}

function lastUserText(messages: AnthropicMessage[]): string {
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.role !== "user") continue;
    const text = textOf(m.content);
    if (text !== "") return text;
    if (Array.isArray(m.content) && m.content.some((b) => b.type === "tool_result")) return "tool result received";
  }
  return "";
}

interface Plan {
  /** The thinking written first when the request enabled it (signed with fakeSignature), else null. */
  thinking: string | null;
  /** Whether the thinking's text is shown; an omitted one (display "omitted") is sent empty, signed all the same. */
  shown: boolean;
  /** A redacted_thinking block follows the thinking (models containing "redacted"). */
  redacted: boolean;
  text: string;
  tool: { id: string; name: string; input: Record<string, unknown> } | null;
  stopReason: string;
  /** The stop sequence the text was cut at, when that ended it (Anthropic's `stop_sequence`). */
  stopSequence: string | null;
  usage: Record<string, number>;
}

/** `body` as sent, for the prompt's token count; `req` as read from it; `cache` the fake's prompt cache. */
function plan(req: MessagesRequest, body: Record<string, unknown>, cache: Set<string>): Plan {
  const { messages, tools, toolChoice: choice } = req;
  const userText = lastUserText(messages);
  let tool: Plan["tool"] = null;
  if (tools.length > 0 && choice?.type !== "none") {
    const forced = choice?.type === "tool" ? choice.name : choice?.type === "any" || userText.includes("call tool") ? tools[0] : undefined;
    if (forced) tool = { id: "toolu_fake01", name: forced, input: { echo: userText } };
  }
  // Without a tool call, JSON outputs answer JSON that follows their schema, else the echo.
  const answerText = req.jsonSchema ? JSON.stringify(sampleJson(req.jsonSchema, req.jsonSchema, userText)) : `Echo: ${userText}`;
  let text = tool ? (req.model.includes("preamble") ? "Here is the answer:" : "") : answerText;
  let stopReason = tool ? "tool_use" : "end_turn";
  let stopSequence: string | null = null;
  // Each match cuts the text, so the last sequence found is the one that occurs first, where the model stops.
  for (const stop of req.stopSequences) {
    const at = text.indexOf(stop);
    if (at >= 0) {
      text = text.slice(0, at);
      stopReason = "stop_sequence";
      stopSequence = stop;
    }
  }
  // Thinking comes first and counts toward max_tokens, as Anthropic bills it (as output). A forced tool
  // call (which only adaptive thinking takes) skips it: the answer starts with the call.
  const forcedCall = choice?.type === "any" || choice?.type === "tool";
  const thinking = req.thinkingBudget === null || forcedCall ? null : `The user wrote "${userText}". Echo it back.`;
  const redacted = thinking !== null && req.model.includes("redacted");
  const thinkingTokens = (thinking === null ? 0 : pieces(thinking).length) + (redacted ? REDACTED_TOKENS : 0);
  const room = req.maxTokens - thinkingTokens;
  const words = pieces(text);
  if (words.length > room) {
    text = words.slice(0, room).join("");
    stopReason = "max_tokens";
    stopSequence = null;
  }
  const prompt = JSON.stringify([body.system ?? "", messages, body.tools ?? []]);
  const cached = req.model.includes("cached");
  const usage = {
    input_tokens: countTokens(prompt),
    cache_creation_input_tokens: cached ? 7 : 0,
    cache_read_input_tokens: cached ? 11 : 0,
    ...(cached ? {} : cacheUsage(body, countTokens(prompt), cache)),
    output_tokens: thinkingTokens + pieces(text).length + (tool ? 5 : 0),
  };
  return { thinking, shown: req.thinkingShown, redacted, text, tool, stopReason, stopSequence, usage };
}

/** What the fake counts a redacted_thinking block as: thinking the client cannot read, billed all the same. */
const REDACTED_TOKENS = 8;

/** The thinking blocks of an answer, as the unstreamed Message holds them. */
function thinkingBlocks(p: Plan): Record<string, unknown>[] {
  if (p.thinking === null) return [];
  return [{ type: "thinking", thinking: p.shown ? p.thinking : "", signature: fakeSignature(p.thinking) }, ...(p.redacted ? [{ type: "redacted_thinking", data: REDACTED_DATA }] : [])];
}

/**
 * The frames up to the first text_delta: message_start, content_block_start, ping, that delta, after any
 * thinking blocks (so a stalled or late-failing stream has streamed its thinking whole).
 */
const framesToFirstText = (frames: string[]): number => frames.findIndex((f) => f.includes('"text_delta"')) + 1 || frames.length;

const frame = (type: string, data: Record<string, unknown>) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;

/**
 * The errors of the stream-error-* models (fake-server.ts's streamErrorMode), each sent as
 * `event: error` with `data: {"type": "error", "error": {"type": ..., "message": ...}}`, as Anthropic's
 * streaming docs show an overloaded_error, "which would normally correspond to an HTTP 529 in a
 * non-streaming context" (https://docs.anthropic.com/en/docs/build-with-claude/streaming#error-events).
 * The invalid one is the fake's error-400 in that shape.
 */
const STREAM_ERRORS = {
  overloaded: { type: "overloaded_error", message: "Overloaded" },
  invalid: { type: "invalid_request_error", message: "messages.0.content: Input should be a valid list" },
};

function streamFrames(model: string, p: Plan): string[] {
  const { output_tokens, ...inputUsage } = p.usage;
  const frames = [
    frame("message_start", {
      message: { id: "msg_fake01", type: "message", role: "assistant", content: [], model, stop_reason: null, stop_sequence: null, usage: { ...inputUsage, output_tokens: 1 } },
    }),
  ];
  let index = 0;
  // A thinking block streams as thinking_delta events and then one signature_delta; a redacted_thinking
  // block comes whole in its content_block_start (Anthropic's streaming and extended-thinking guides).
  if (p.thinking !== null) {
    frames.push(frame("content_block_start", { index, content_block: { type: "thinking", thinking: "" } }));
    if (p.shown) for (const piece of pieces(p.thinking)) frames.push(frame("content_block_delta", { index, delta: { type: "thinking_delta", thinking: piece } }));
    frames.push(frame("content_block_delta", { index, delta: { type: "signature_delta", signature: fakeSignature(p.thinking) } }), frame("content_block_stop", { index }));
    index++;
  }
  if (p.redacted) {
    frames.push(frame("content_block_start", { index, content_block: { type: "redacted_thinking", data: REDACTED_DATA } }), frame("content_block_stop", { index }));
    index++;
  }
  if (p.text !== "") {
    frames.push(frame("content_block_start", { index, content_block: { type: "text", text: "" } }), frame("ping", {}));
    for (const piece of pieces(p.text)) frames.push(frame("content_block_delta", { index, delta: { type: "text_delta", text: piece } }));
    frames.push(frame("content_block_stop", { index }));
    index++;
  }
  if (p.tool) {
    frames.push(frame("content_block_start", { index, content_block: { type: "tool_use", id: p.tool.id, name: p.tool.name, input: {} } }));
    const input = JSON.stringify(p.tool.input);
    const third = Math.ceil(input.length / 3);
    for (const part of ["", input.slice(0, third), input.slice(third, 2 * third), input.slice(2 * third)]) {
      frames.push(frame("content_block_delta", { index, delta: { type: "input_json_delta", partial_json: part } }));
    }
    frames.push(frame("content_block_stop", { index }));
  }
  frames.push(frame("message_delta", { delta: { stop_reason: p.stopReason, stop_sequence: p.stopSequence }, usage: { output_tokens } }), frame("message_stop", {}));
  return frames;
}

function answer(req: RecordedRequest, raw: Request, apiKey: string, cache: Set<string>): Response | Promise<Response> {
  if (req.path !== "/v1/messages") return error(404, "not_found_error", "Not found");
  if (req.headers["x-api-key"] !== apiKey) return error(401, "authentication_error", "invalid x-api-key");
  if (!req.headers["anthropic-version"]) return error(400, "invalid_request_error", "anthropic-version: header is required");
  const body = req.body as Record<string, unknown> | null;
  if (typeof body !== "object" || body === null) return error(400, "invalid_request_error", "There was an issue with the body of your HTTP request.");
  const request = readMessagesRequest(body);
  if (typeof request === "string") return error(400, "invalid_request_error", request);
  const { model, stream } = request;
  const inStream = streamErrorMode(model);
  switch (inStream === null || stream ? model : inStream === "invalid" ? "error-400" : "overloaded") {
    case "error-500":
      return error(500, "api_error", "Internal server error");
    case "overloaded":
      return error(529, "overloaded_error", "Overloaded");
    case "rate-limit":
      return error(429, "rate_limit_error", "Number of request tokens has exceeded your per-minute rate limit", { "retry-after": "1" });
    case "error-400":
      return error(400, "invalid_request_error", "messages.0.content: Input should be a valid list");
    case "context-length":
      return error(400, "invalid_request_error", "prompt is too long: 205000 tokens > 200000 maximum");
    case "hang":
      return hang(raw);
    case "garbage":
      return garbage(stream);
  }
  const p = plan(request, body, cache);
  if (stream && inStream) {
    const all = streamFrames(model, p);
    const sent = all.slice(0, inStream === "late" ? framesToFirstText(all) : 1);
    const error = STREAM_ERRORS[inStream === "invalid" ? "invalid" : "overloaded"];
    return sse([...sent, frame("error", { error })], { "request-id": "req_fake0000000000000000002" });
  }
  if (stream) {
    const frames = streamFrames(model, p);
    return sse(frames, { "request-id": "req_fake0000000000000000002" }, streamFault(model, framesToFirstText(frames)));
  }
  const content: unknown[] = thinkingBlocks(p);
  if (p.text !== "") content.push({ type: "text", text: p.text });
  if (p.tool) content.push({ type: "tool_use", ...p.tool });
  return json(200, { id: "msg_fake01", type: "message", role: "assistant", model, content, stop_reason: p.stopReason, stop_sequence: p.stopSequence, usage: p.usage });
}

/** Starts the fake on 127.0.0.1 (port 0 unless given); the key it accepts defaults to `test-anthropic-key`. */
export async function startFakeAnthropic(opts?: { port?: number; apiKey?: string }): Promise<FakeVendor> {
  const apiKey = opts?.apiKey ?? "test-anthropic-key";
  const cache = new Set<string>();
  return startFakeServer(opts?.port, (req, raw) => answer(req, raw, apiKey, cache));
}
