/**
 * OpenAI messages → Gemini `systemInstruction` + `contents` (https://ai.google.dev/api/generate-content):
 * system and developer text becomes systemInstruction, a part for each text part; assistant turns are role `model`, their
 * tool_calls `functionCall` parts (a custom tool's call is refused, function-call-only.ts); `tool`
 * messages become `functionResponse` parts in a user turn, named after the call they answer
 * (Gemini matches responses by function name), their text parts joined as toolResponse says. Consecutive turns of one role are merged, as Gemini
 * expects user and model to alternate, but for tool results and a user message after them: a content of
 * functionResponse parts takes no other kind (Gemini 3 refuses a part after a functionResponse), so they stay two. An assistant message's
 * `refusal`, and any refusal part in its content, is sent as its text (assistantRefusal,
 * assistantContent); a user message without content is refused, and so is a conversation that
 * leaves no contents (only system/developer messages, which OpenAI answers), naming `messages`:
 * Gemini refuses a request without contents. Tool messages must answer the calls of the assistant
 * message just before them, each once, and every call be answered (checkToolPairing, as OpenAI and the
 * Anthropic adapter require): Gemini counts the functionResponse parts of the content after a call turn
 * against its functionCall parts, so a user message among the answers would split them and be its 400.
 * A field of a message or part the translation has no rule
 * for (Anthropic's cache_control included) is refused, naming its path (message-fields.ts).
 */
import type { ChatMessage } from "../types.ts";
import { functionCallOnly } from "../function-call-only.ts";
import { refuseMessageFields } from "../message-fields.ts";
import { checkToolPairing } from "../tool-pairing.ts";
import { UnsupportedParameterError } from "../unsupported-parameter.ts";
import { textParts } from "../anthropic/content.ts";
import { assistantContent, assistantRefusal, NO_TURNS } from "../anthropic/messages.ts";
import { convertContent, convertModelContent, type GeminiPart } from "./content.ts";
import { geminiFunctionName } from "./function-name.ts";
import { clientSignature, SKIP_THOUGHT_SIGNATURE } from "./thought-signature.ts";

export interface GeminiContent {
  role: "user" | "model";
  parts: GeminiPart[];
}

function parseArgs(raw: string, param: string): Record<string, unknown> {
  let args: unknown;
  try {
    args = raw.trim() === "" ? {} : JSON.parse(raw);
  } catch {
    throw new UnsupportedParameterError(param, "Tool call arguments must be a JSON object.");
  }
  if (typeof args !== "object" || args === null || Array.isArray(args)) throw new UnsupportedParameterError(param, "Tool call arguments must be a JSON object.");
  return args as Record<string, unknown>;
}

/**
 * A tool message's text parts as the `response` Struct Gemini wants. Parts that together ("" joined)
 * are a JSON object or array are one document cut into pieces, possibly mid-token ('{"a":"hel' +
 * 'lo"}'), so they are joined as they are: an object is the Struct itself, an array is wrapped as its
 * text. Any other parts are kept apart by a line break (joined with "" their words would run together),
 * empty ones left out, and wrapped: line breaks between them cannot make an object of what was none.
 *
 * @example toolResponse(['{"a":"hel', 'lo"}']) // { a: "hello" }
 * @example toolResponse(["line one", "", "line two"]) // { content: "line one\nline two" }
 */
function toolResponse(texts: string[]): Record<string, unknown> {
  const joined = texts.join("");
  try {
    const parsed = JSON.parse(joined) as unknown;
    if (typeof parsed === "object" && parsed !== null) return Array.isArray(parsed) ? { content: joined } : (parsed as Record<string, unknown>);
  } catch {
    // not one JSON document
  }
  return { content: texts.filter((text) => text !== "").join("\n") };
}

export function convertMessages(messages: ChatMessage[], model = ""): { systemInstruction: { parts: GeminiPart[] } | null; contents: GeminiContent[] } {
  checkToolPairing(messages);
  const system: GeminiPart[] = [];
  const contents: GeminiContent[] = [];
  const callNames = new Map<string, string>();
  // A content of functionResponse parts takes no other kind (Gemini 3 refuses a part after a functionResponse
  // with a 400 "Requests ending with a model turn are not supported.", at least on Vertex: the reports are in
  // test/fakes/gemini-function-responses.ts): a user message after tool results is
  // a content of its own, while the answers to one call turn stay together.
  const answers = (parts: GeminiPart[]) => parts.every((part) => part.functionResponse !== undefined);
  const push = (role: "user" | "model", parts: GeminiPart[]) => {
    if (parts.length === 0) return;
    const last = contents[contents.length - 1];
    if (last && last.role === role && answers(last.parts) === answers(parts)) last.parts.push(...parts);
    else contents.push({ role, parts });
  };
  messages.forEach((message, i) => {
    const param = `messages[${i}]`;
    refuseMessageFields(message, param);
    switch (message.role) {
      case "system":
      case "developer": {
        // One part per text part, as systemInstruction takes several: joined, adjacent words would run together.
        for (const text of textParts(message.content, param)) if (text !== "") system.push({ text });
        return;
      }
      case "user": {
        // Dropping it could leave the conversation ending on a model turn, which Gemini would continue
        // instead of answering; refused as the Anthropic adapter refuses it.
        const parts = convertContent(message.content, param, model);
        if (parts.length === 0) throw new UnsupportedParameterError(`${param}.content`, "This provider does not accept a user message without text or an image.");
        return push("user", parts);
      }
      case "assistant": {
        const calls = (message.tool_calls ?? []).map((sent, j): GeminiPart => {
          const call = functionCallOnly(sent, `${param}.tool_calls[${j}]`);
          const name = geminiFunctionName(call.function.name, `${param}.tool_calls[${j}].function.name`);
          callNames.set(call.id, name);
          const part: GeminiPart = { functionCall: { id: call.id, name, args: parseArgs(call.function.arguments, `${param}.tool_calls[${j}].function.arguments`) } };
          // Gemini 3 refuses a replayed function call without the thought signature it came with: the
          // one the client carries back (thought-signature.ts) goes as received; a step whose first
          // call has none gets Google's documented bypass there
          // (https://ai.google.dev/gemini-api/docs/thought-signatures).
          const signature = clientSignature(call, `${param}.tool_calls[${j}]`);
          if (signature !== null) part.thoughtSignature = signature;
          else if (j === 0) part.thoughtSignature = SKIP_THOUGHT_SIGNATURE;
          return part;
        });
        return push("model", [...convertModelContent(assistantContent(message, param), param, model), ...convertContent(assistantRefusal(message, param), param), ...calls]);
      }
      case "tool": {
        // checkToolPairing has refused a tool message that does not answer a call of the assistant message before it.
        const name = typeof message.tool_call_id === "string" ? callNames.get(message.tool_call_id) : undefined;
        if (name === undefined) throw new Error(`checkToolPairing let through ${param}, which answers no call`);
        return push("user", [{ functionResponse: { id: message.tool_call_id, name, response: toolResponse(textParts(message.content, param)) } }]);
      }
      default:
        throw new UnsupportedParameterError(`${param}.role`, `Unknown role '${String((message as { role: unknown }).role)}'.`);
    }
  });
  if (contents.length === 0) throw new UnsupportedParameterError("messages", NO_TURNS);
  return { systemInstruction: system.length > 0 ? { parts: system } : null, contents };
}
