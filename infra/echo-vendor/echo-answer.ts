/**
 * What the echo vendor answers a Chat Completions request, read and checked first (chat-request.ts),
 * before it is put on the wire (openai-wire.ts, echo-stream.ts): its choices, each the content in
 * pieces (one completion token each, see echo-reply.ts) or one function call, and its finish reason.
 *
 * A function is called as OpenAI calls one: when `tool_choice` is "required" (the first function) or
 * names one; under "auto" (or none given) only when the last user text says "call tool", the test
 * fakes' convention (test/fakes/openai-chat-request.ts); never under "none". Its arguments are the
 * smallest instance of the function's `parameters` (schema-instance.ts), strings being the user's text.
 * Parameters (or a response_format schema) it cannot instantiate are OpenAI's 400 naming them
 * (`Invalid schema for function 'f': …`, param tools[i].function.parameters), never a 500.
 *
 * Under `response_format` the content is JSON, as OpenAI's is: json_object `{"echo": <user text>}`,
 * json_schema the smallest instance of its schema (every property under strict), in pieces of
 * JSON_DELTA_CHARS characters. An instance is built once for all n choices, and its JSON is at most
 * MAX_ANSWER_CHARS / n characters (MAX_INSTANCE_CHARS at most), else the schema's 400.
 *
 * `n` gives n equal choices; `stop` cuts the content before the earliest stop sequence (finish
 * "stop"), then max_tokens (or max_completion_tokens) cuts it, or a call's arguments, to that many
 * pieces (finish "length", the call's arguments the kept pieces, as OpenAI cuts a call at the cap).
 * Any content (the plain echo, json_object's) is held to the same budget as an instance: at most
 * MAX_ANSWER_CHARS / n characters in at most as many pieces as JSON_DELTA_CHARS slices of it, the rest
 * cut as a model's output cap cuts it (whole pieces, finish "length", usage the pieces sent);
 * `logprobs` asks each choice's content tokens with logprob 0 (openai-wire.ts).
 *
 * @example echoAnswer(readChatRequest({ messages: [{ role: "user", content: "hi" }] }), "chatcmpl-echo1").choices[0].pieces // ["Echo:", " hi"]
 */
import type { ChatRequest } from "./chat-request.ts";
import { echoText, lastUserText, pieces, slices } from "./echo-reply.ts";
import type { FunctionTool } from "./openai-chat-readers.ts";
import { Refusal } from "./openai-request-readers.ts";
import { MAX_INSTANCE_CHARS, minimalInstance, SchemaError } from "./schema-instance.ts";

export interface EchoToolCall {
  id: string;
  name: string;
  arguments: string;
  /** The arguments as streamed, one delta (and one completion token) each. */
  pieces: string[];
}

export interface EchoChoice {
  index: number;
  /** The content in pieces; empty when a function is called (content null). */
  pieces: string[];
  toolCall: EchoToolCall | null;
  finish: "stop" | "length" | "tool_calls";
  /** Asked with `logprobs: true`: top is top_logprobs (0 when not given). */
  logprobs: { top: number } | null;
}

export interface EchoAnswer {
  choices: EchoChoice[];
  completionTokens: number;
}

/** Tool call arguments, and JSON content, are streamed in deltas of this many characters. */
const ARGUMENT_DELTA_CHARS = 8;
const JSON_DELTA_CHARS = 8;
/**
 * The most characters of content (plain or JSON) or arguments all n choices may carry together:
 * streamed in deltas of 8 characters or (fewer) longer ones, ~250 bytes each (more with logprobs),
 * 2,000,000 characters is under 100 MB on the wire, well within the proxy's 256 MB vendor-body bound.
 */
export const MAX_ANSWER_CHARS = 2_000_000;

/** One instance's budget: MAX_INSTANCE_CHARS, or less when n choices share MAX_ANSWER_CHARS. */
const instanceBudget = (n: number): number => Math.min(MAX_INSTANCE_CHARS, Math.floor(MAX_ANSWER_CHARS / n));

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The smallest instance of a schema as JSON text, or OpenAI's 400 for a schema it cannot instantiate
 * (`refuse` words it for the parameter). Whatever goes wrong while building or writing the instance
 * (a SchemaError naming why, or any other error) is that 400, never a 500, which the proxy would
 * count as the deployment failing: the schema is the caller's input. The instance, as JSON, is at most
 * `maxChars` characters (see instanceBudget).
 */
function instanceOr(schema: unknown, text: string, all: boolean, maxChars: number, refuse: (why: string) => Refusal): { json: string } | Refusal {
  try {
    const json = JSON.stringify(minimalInstance(schema, text, { all, maxChars }));
    if (json.length > maxChars) throw new SchemaError(`its instance is larger than the echo vendor writes (${maxChars} characters).`);
    return { json };
  } catch (error) {
    return refuse(error instanceof SchemaError ? error.message : "the echo vendor cannot build an instance of it.");
  }
}

/** The function to call, if any (see the file comment); a named one is among the tools (chat-request.ts). */
function calledFunction({ tools, choice }: ChatRequest, userText: string): FunctionTool | undefined {
  if (typeof choice === "object") return tools.find((tool) => tool.name === choice.name);
  if (tools.length === 0 || choice === "none") return undefined;
  if (choice === "required" || userText.includes("call tool")) return tools[0];
  return undefined;
}

/** The call's arguments: the smallest instance of the function's parameters, or OpenAI's 400 for parameters it cannot instantiate. */
function callArguments(tool: FunctionTool, userText: string, maxChars: number): string | Refusal {
  if (tool.parameters === undefined) return "{}";
  const args = instanceOr(tool.parameters, userText, false, maxChars, (why) => new Refusal(`Invalid schema for function '${tool.name}': ${why}`, `tools[${tool.at}].function.parameters`, "invalid_function_parameters"));
  return "json" in args ? args.json : args;
}

function toolCall(tool: FunctionTool, args: string, id: string): EchoToolCall {
  return { id, name: tool.name, arguments: args, pieces: slices(args, ARGUMENT_DELTA_CHARS) };
}

type Content = { text: string; split: (text: string) => string[] };

/** The content and how it is cut in pieces: the echo text by words, or the JSON `response_format` asks for in slices. */
function content({ format, messages }: ChatRequest, userText: string, maxChars: number): Content | Refusal {
  const json = (text: string) => ({ text, split: (text: string) => slices(text, JSON_DELTA_CHARS) });
  if (format.type === "json_object") return json(JSON.stringify({ echo: userText }));
  if (format.type === "json_schema") {
    const spec = isRecord(format.json_schema) ? format.json_schema : {};
    if (spec.schema === undefined) return json(JSON.stringify({ echo: userText }));
    const name = typeof spec.name === "string" ? spec.name : "";
    const value = instanceOr(spec.schema, userText, spec.strict === true, maxChars, (why) => new Refusal(`Invalid schema for response_format '${name}': ${why}`, "response_format", "invalid_json_schema"));
    return "json" in value ? json(value.json) : value;
  }
  return { text: echoText(messages), split: pieces };
}

/** The text before the earliest stop sequence, or null when none occurs. */
function cutAtStop(text: string, stops: string[]): string | null {
  const at = stops.map((stop) => (stop === "" ? -1 : text.indexOf(stop))).filter((i) => i >= 0);
  return at.length > 0 ? text.slice(0, Math.min(...at)) : null;
}

/**
 * The content's pieces within `maxChars` characters and maxChars / JSON_DELTA_CHARS pieces (so a
 * stream of short pieces is no longer on the wire than one of JSON slices), and whether that cut it.
 * Only the text's first maxChars + 1 characters are split: a piece ending past maxChars is never kept.
 */
function withinBudget({ split }: Content, text: string, maxChars: number): { pieces: string[]; cut: boolean } {
  const all = split(text.length > maxChars ? text.slice(0, maxChars + 1) : text);
  const maxPieces = Math.ceil(maxChars / JSON_DELTA_CHARS);
  let chars = 0;
  for (const [i, piece] of all.entries()) {
    chars += piece.length;
    if (chars > maxChars || i >= maxPieces) return { pieces: all.slice(0, i), cut: true };
  }
  return { pieces: all, cut: false };
}

/** The first `maxTokens` pieces (one completion token each) when there are more, else null (nothing cut). */
function capped(all: string[], maxTokens: number | undefined): string[] | null {
  return maxTokens !== undefined && maxTokens > 0 && all.length > maxTokens ? all.slice(0, maxTokens) : null;
}

export function echoAnswer(request: ChatRequest, id: string): EchoAnswer | Refusal {
  const { n, stops, logprobs, maxTokens } = request;
  const userText = lastUserText(request.messages);
  const tool = calledFunction(request, userText);
  const budget = instanceBudget(n);
  const args = tool ? callArguments(tool, userText, budget) : "";
  if (typeof args !== "string") return args;
  const answer = tool ? null : content(request, userText, budget);
  if (answer instanceof Refusal) return answer;
  // Built and cut once; the n choices share them.
  const call = tool ? toolCall(tool, args, "") : null;
  const keptArgs = call ? capped(call.pieces, maxTokens) : null;
  const budgeted = answer ? withinBudget(answer, cutAtStop(answer.text, stops) ?? answer.text, budget) : { pieces: [], cut: false };
  const all = budgeted.pieces;
  const kept = capped(all, maxTokens) ?? (budgeted.cut ? all : null);
  const choices = Array.from({ length: n }, (_, index): EchoChoice => {
    if (call) {
      const callId = id.replace(/^chatcmpl-/, "call_") + (index > 0 ? `_${index}` : "");
      return { index, pieces: [], toolCall: keptArgs ? { ...call, id: callId, arguments: keptArgs.join(""), pieces: keptArgs } : { ...call, id: callId }, finish: keptArgs ? "length" : "tool_calls", logprobs };
    }
    return { index, pieces: kept ?? all, toolCall: null, finish: kept ? "length" : "stop", logprobs };
  });
  const completionTokens = choices.reduce((sum, c) => sum + c.pieces.length + (c.toolCall?.pieces.length ?? 0), 0);
  return { choices, completionTokens };
}
