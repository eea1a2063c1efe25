/**
 * What the echo vendor answers a Chat Completions body, before it is put on the wire (openai-wire.ts,
 * echo-stream.ts): its choices, each the content in pieces (one completion token each, see
 * echo-reply.ts) or one function call, and its finish reason.
 *
 * A function is called as OpenAI calls one: when `tool_choice` is "required" (the first function) or
 * names one; under "auto" (or none given) only when the last user text says "call tool", the test
 * fakes' convention (test/fakes/openai-chat-request.ts); never under "none". Its arguments are the
 * smallest instance of the function's `parameters` (schema-instance.ts), strings being the user's text.
 *
 * Under `response_format` the content is JSON, as OpenAI's is: json_object `{"echo": <user text>}`,
 * json_schema the smallest instance of its schema (every property under strict), in pieces of
 * JSON_DELTA_CHARS characters.
 *
 * @example echoAnswer({ messages: [{ role: "user", content: "hi" }] }, "chatcmpl-echo1").choices[0].pieces // ["Echo:", " hi"]
 */
import { echoText, lastUserText, pieces, slices, type EchoMessage } from "./echo-reply.ts";
import { minimalInstance } from "./schema-instance.ts";

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
}

export interface EchoAnswer {
  choices: EchoChoice[];
  completionTokens: number;
}

/** Tool call arguments, and JSON content, are streamed in deltas of this many characters. */
const ARGUMENT_DELTA_CHARS = 8;
const JSON_DELTA_CHARS = 8;

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

type FunctionTool = { name: string; parameters: unknown };

function functionTools(tools: unknown): FunctionTool[] {
  if (!Array.isArray(tools)) return [];
  return tools.flatMap((tool) => (isRecord(tool) && tool.type === "function" && isRecord(tool.function) && typeof tool.function.name === "string" ? [{ name: tool.function.name, parameters: tool.function.parameters }] : []));
}

/** The function to call, if any (see the file comment). */
function calledFunction(body: Record<string, unknown>, userText: string): FunctionTool | undefined {
  const tools = functionTools(body.tools);
  const choice = body.tool_choice;
  if (tools.length === 0 || choice === "none") return undefined;
  if (isRecord(choice) && choice.type === "function" && isRecord(choice.function)) {
    const name = choice.function.name;
    return tools.find((tool) => tool.name === name) ?? (typeof name === "string" ? { name, parameters: undefined } : undefined);
  }
  if (choice === "required" || userText.includes("call tool")) return tools[0];
  return undefined;
}

function toolCall(tool: FunctionTool, userText: string, id: string): EchoToolCall {
  const args = JSON.stringify(tool.parameters === undefined ? {} : minimalInstance(tool.parameters, userText));
  return { id, name: tool.name, arguments: args, pieces: slices(args, ARGUMENT_DELTA_CHARS) };
}

/** The content's pieces: the echo text, or the JSON `response_format` asks for. */
function contentPieces(body: Record<string, unknown>, messages: EchoMessage[], userText: string): string[] {
  const format = isRecord(body.response_format) ? body.response_format : {};
  if (format.type === "json_object") return slices(JSON.stringify({ echo: userText }), JSON_DELTA_CHARS);
  if (format.type === "json_schema") {
    const spec = isRecord(format.json_schema) ? format.json_schema : {};
    const value = spec.schema === undefined ? { echo: userText } : minimalInstance(spec.schema, userText, { all: spec.strict === true });
    return slices(JSON.stringify(value), JSON_DELTA_CHARS);
  }
  return pieces(echoText(messages));
}

export function echoAnswer(body: Record<string, unknown>, id: string): EchoAnswer {
  const messages = body.messages as EchoMessage[];
  const userText = lastUserText(messages);
  const maxTokens = typeof body.max_completion_tokens === "number" ? body.max_completion_tokens : typeof body.max_tokens === "number" ? body.max_tokens : undefined;
  const tool = calledFunction(body, userText);
  const choices: EchoChoice[] = [];
  if (tool) {
    choices.push({ index: 0, pieces: [], toolCall: toolCall(tool, userText, id.replace(/^chatcmpl-/, "call_")), finish: "tool_calls" });
  } else {
    const all = contentPieces(body, messages, userText);
    const cut = maxTokens !== undefined && maxTokens > 0 && all.length > maxTokens;
    choices.push({ index: 0, pieces: cut ? all.slice(0, maxTokens) : all, toolCall: null, finish: cut ? "length" : "stop" });
  }
  const completionTokens = choices.reduce((sum, c) => sum + c.pieces.length + (c.toolCall?.pieces.length ?? 0), 0);
  return { choices, completionTokens };
}
