/**
 * Checks an unstreamed answer's `message.tool_calls` for what the client's SDK builds on
 * (https://platform.openai.com/docs/api-reference/chat/object): none (absent or null), or an array of
 * calls with a string id and either type "function" with a string function.name and
 * function.arguments (the JSON text the client parses: a number, an object or null would reach it as
 * is), or type "custom" with a string custom.name and custom.input (OpenAI's custom tools, which the
 * gateway passes through to OpenAI-format vendors). A call with no type (absent or null) and a
 * `function` object is a function call, as some OpenAI-compatible servers (Mistral's API, older vLLM
 * and Ollama) send it; its type is set to "function" so the client sees OpenAI's shape. Anything else
 * is a VendorProtocolError, as the streamed path treats a tool call delta it cannot forward
 * (stream.ts checkChoice).
 *
 * @example checkToolCalls([{ id: "call_1", type: "function", function: { name: "f", arguments: 5 } }]) // throws
 */
import { VendorProtocolError } from "../types.ts";

export function checkToolCalls(toolCalls: unknown): void {
  if (toolCalls == null) return;
  if (!Array.isArray(toolCalls)) throw new VendorProtocolError("vendor response tool_calls is not an array");
  for (const call of toolCalls as unknown[]) {
    if (typeof call !== "object" || call === null) throw new VendorProtocolError("vendor response tool call is not an object");
    const { id, type, function: fn, custom } = call as { id?: unknown; type?: unknown; function?: unknown; custom?: unknown };
    if (typeof id !== "string") throw new VendorProtocolError("vendor response tool call id is not a string");
    if (type === "function") checkNamed(fn, "function", "arguments");
    else if (type == null && fn != null) {
      checkNamed(fn, "function", "arguments");
      (call as { type: string }).type = "function";
    } else if (type === "custom") checkNamed(custom, "custom", "input");
    else throw new VendorProtocolError("vendor response tool call type is not 'function'");
  }
}

/** `body` is an object with a string `name` and a string `text` field. */
function checkNamed(body: unknown, field: string, text: string): void {
  if (typeof body !== "object" || body === null || typeof (body as { name?: unknown }).name !== "string" || typeof (body as Record<string, unknown>)[text] !== "string") {
    throw new VendorProtocolError(`vendor response tool call ${field}.name or ${field}.${text} is not a string`);
  }
}
