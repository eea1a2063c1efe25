/**
 * Checks one chat message (https://platform.openai.com/docs/api-reference/chat/create#chat-create-messages)
 * and names the offending field: role, content and its parts (an assistant's may be null, or left out
 * beside tool_calls or a deprecated function_call; a deprecated function message's may be null), name, an assistant's refusal and a refusal part's
 * (strings), an assistant's tool_calls (ids,
 * function names, and arguments that must be JSON, since every non-OpenAI vendor has to parse them; or
 * a custom tool's call, `{type: "custom", custom: {name, input}}`, whose input is free text), a
 * function_call's name and string arguments, a tool
 * message's tool_call_id; a media URL a server would fetch inside the operator's network (media-url.ts),
 * a part naming a file stored at a vendor (vendor-file-references.ts), and inline data no vendor can
 * read (inline-data.ts). Returns null when the message is fine.
 *
 * @example checkMessage({ role: "user", content: 5 }, 0) // { param: "messages[0].content", message: "..." }
 */
import { inlineDataInPart } from "./inline-data.ts";
import { mediaUrlInPart } from "./media-url.ts";
import { isRecord } from "../../shared/is-record.ts";
import { given } from "./given.ts";
import { fileIdInPart } from "./vendor-file-references.ts";

export interface FieldProblem {
  param: string;
  message: string;
}

/** The roles a message may have; "function" is OpenAI's deprecated function calling's (legacy-function-messages.test.ts). */
export const ROLES: ReadonlySet<string> = new Set(["system", "developer", "user", "assistant", "tool", "function"]);
const ROLE_LIST = [...ROLES].join(", ");
const problem = (param: string, expected: string): FieldProblem => ({ param, message: `Invalid '${param}': ${expected}.` });

function checkParts(content: unknown[], param: string, allowPrivateMediaUrls: boolean): FieldProblem | null {
  for (let k = 0; k < content.length; k++) {
    const part = content[k];
    const at = `${param}[${k}]`;
    if (!isRecord(part) || typeof part.type !== "string") return problem(`${at}.type`, "every content part needs a string 'type'");
    if (part.type === "text" && typeof part.text !== "string") return problem(`${at}.text`, "expected a string");
    if (part.type === "refusal" && typeof part.refusal !== "string") return problem(`${at}.refusal`, "expected a string");
    if (part.type === "image_url" && !(isRecord(part.image_url) && typeof part.image_url.url === "string")) return problem(`${at}.image_url.url`, "expected a string URL");
    const media = mediaUrlInPart(part, at, allowPrivateMediaUrls) ?? fileIdInPart(part, at) ?? inlineDataInPart(part, at, allowPrivateMediaUrls);
    if (media) return problem(media.param, media.problem);
  }
  return null;
}

/**
 * A custom tool's call (GPT-5 custom tools: ChatCompletionMessageCustomToolCall): the tool's name and
 * the free-form text the model wrote for it, any text ("" included), never parsed.
 */
function checkCustomCall(custom: unknown, at: string): FieldProblem | null {
  if (!isRecord(custom)) return problem(`${at}.custom`, "expected an object");
  if (typeof custom.name !== "string" || custom.name === "") return problem(`${at}.custom.name`, "expected a non-empty string");
  if (typeof custom.input !== "string") return problem(`${at}.custom.input`, "expected a string");
  return null;
}

/**
 * A function call: a tool call's `function`, or an assistant's deprecated `function_call`
 * (openai-python ChatCompletionAssistantMessageParam.FunctionCall: `name` and `arguments`, both
 * required strings). Whether the arguments are JSON is the tool call's check (its caller's), so each
 * caller says what its arguments must be (`argumentsAre`): a tool call's "a string of JSON", a
 * function_call's "a string".
 */
function checkFunction(fn: unknown, at: string, argumentsAre: string): FieldProblem | null {
  if (!isRecord(fn)) return problem(at, "expected an object");
  if (typeof fn.name !== "string" || fn.name === "") return problem(`${at}.name`, "expected a non-empty string");
  if (typeof fn.arguments !== "string") return problem(`${at}.arguments`, `expected ${argumentsAre}`);
  return null;
}

function checkToolCalls(calls: unknown, param: string): FieldProblem | null {
  if (!Array.isArray(calls)) return problem(param, "expected an array of tool calls");
  for (let j = 0; j < calls.length; j++) {
    const call = calls[j];
    const at = `${param}[${j}]`;
    if (!isRecord(call)) return problem(at, "expected an object");
    if (typeof call.id !== "string" || call.id === "") return problem(`${at}.id`, "expected a non-empty string");
    if (call.type === "custom") {
      const bad = checkCustomCall(call.custom, at);
      if (bad) return bad;
      continue;
    }
    if (call.type !== undefined && call.type !== "function") return problem(`${at}.type`, "expected 'function' or 'custom'");
    const bad = checkFunction(call.function, `${at}.function`, "a string of JSON");
    if (bad) return bad;
    const args = (call.function as { arguments: string }).arguments;
    // "" is what models send for a function without parameters, and clients send it back as it came:
    // no arguments (the adapters make it {}), not a JSON error.
    if (args.trim() === "") continue;
    try {
      JSON.parse(args);
    } catch {
      return problem(`${at}.function.arguments`, "expected a string of valid JSON");
    }
  }
  return null;
}

/** allowPrivateMediaUrls (ALLOW_PRIVATE_MEDIA_URLS=true) lets a media URL's host be private or local; the rest of the media URL rule still applies. */
export function checkMessage(message: unknown, index: number, allowPrivateMediaUrls = false): FieldProblem | null {
  const param = `messages[${index}]`;
  if (!isRecord(message)) return problem(param, "expected an object");
  if (typeof message.role !== "string" || !ROLES.has(message.role)) return problem(`${param}.role`, `expected one of ${ROLE_LIST}`);
  const content = message.content;
  const toolCalls = message.tool_calls;
  const assistant = message.role === "assistant";
  // An assistant's content is "required unless tool_calls or function_call is specified" (either may
  // stand alone, the key left out); a function message's (deprecated) content may be null.
  const callOnly = assistant && content === undefined && (toolCalls !== undefined || given(message.function_call));
  const contentOk = typeof content === "string" || Array.isArray(content) || callOnly || (content === null && (assistant || message.role === "function"));
  if (!contentOk) return problem(`${param}.content`, "expected a string or an array of content parts");
  if (Array.isArray(content)) {
    const bad = checkParts(content, `${param}.content`, allowPrivateMediaUrls);
    if (bad) return bad;
  }
  if (given(message.name) && typeof message.name !== "string") return problem(`${param}.name`, "expected a string");
  // OpenAI's assistant refusal (string or null), which the translating adapters send as the turn's text.
  if (assistant && given(message.refusal) && typeof message.refusal !== "string") return problem(`${param}.refusal`, "expected a string");
  if (given(toolCalls)) {
    if (!assistant) return problem(`${param}.tool_calls`, "only assistant messages carry tool calls");
    const bad = checkToolCalls(toolCalls, `${param}.tool_calls`);
    if (bad) return bad;
  }
  // Only an OpenAI-format vendor takes it (the others refuse it naming it), as sent: its shape, not its
  // arguments' JSON, is checked.
  if (given(message.function_call)) {
    const bad = checkFunction(message.function_call, `${param}.function_call`, "a string");
    if (bad) return bad;
  }
  if (message.role === "tool" && (typeof message.tool_call_id !== "string" || message.tool_call_id === "")) return problem(`${param}.tool_call_id`, "a tool message needs the id of the tool call it answers");
  return null;
}
