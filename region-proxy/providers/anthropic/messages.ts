/**
 * OpenAI messages → Anthropic `system` + `messages` (https://docs.anthropic.com/en/api/messages):
 * system and developer messages become top-level system text blocks, one per text part (a tool
 * message's parts are its tool_result's content blocks), so no two parts' words run together; assistant tool_calls become
 * `tool_use` blocks (a custom tool's call is refused, function-call-only.ts); `tool` messages become
 * `tool_result` blocks in a user turn (both with ids in Anthropic's alphabet, anthropicToolId); consecutive turns of
 * the same role are merged because the API expects user and assistant to alternate. Whitespace-only
 * text is not sent (Anthropic refuses it): an assistant or system message of nothing else is skipped, a
 * user message of nothing else refused naming its content, a tool message of nothing else answered by a
 * tool_result without content. An assistant message's `refusal`, and any refusal part in its content,
 * is sent as its text (assistantRefusal, assistantContent); an image in it is refused, as Anthropic
 * refuses one in an assistant turn (convertAssistantContent).
 * A conversation that leaves no turn (only system/developer messages, which OpenAI answers) is refused
 * naming `messages` (NO_TURNS): Anthropic refuses an empty `messages`. Tool messages must answer the
 * calls of the assistant message just before them, each once, and every call be answered
 * (checkToolPairing): Anthropic refuses a tool_result or tool_use left without its pair. A final
 * assistant turn is sent as Anthropic's prefill, without trailing whitespace (trimPrefill).
 * With `thinking` (the request asks Claude to think: thinking.ts), an assistant message's echoed
 * `thinking_blocks` go first in its turn, as received (thinking-blocks.ts); otherwise they are left out.
 * A message's or a part's `cache_control` (Anthropic's own) is its prompt-cache breakpoint
 * (cache-control.ts); any other field the translation has no rule for is refused (message-fields.ts).
 */
import type { ChatMessage } from "../types.ts";
import { functionCallOnly } from "../function-call-only.ts";
import { refuseMessageFields, refusePartFields } from "../message-fields.ts";
import { UnsupportedParameterError } from "../unsupported-parameter.ts";
import { CACHE_CONTROL_FIELD, markToolResult, markMessage } from "./cache-control.ts";
import { type AnthropicBlock, convertAssistantContent, convertContent, convertSystemContent, textParts } from "./content.ts";
import { trimPrefill } from "./prefill.ts";
import { anthropicToolUseName } from "./tool-name.ts";
import { echoedThinking } from "./thinking-blocks.ts";
import { checkToolPairing } from "../tool-pairing.ts";

export interface AnthropicMessage {
  role: "user" | "assistant";
  content: AnthropicBlock[];
}

/**
 * A tool call id as Anthropic takes it: it refuses any id outside ^[a-zA-Z0-9_-]+$ ("String should
 * match pattern"), and a history made on another vendor carries ids like `call_x|fc_y` or
 * `functions.get:0`. An id Anthropic takes is sent as it is; in any other, every other character
 * becomes `_` and a hash of the original id follows (`functions_get_0_1k9x…`), so two ids that differ
 * only there (`a.b`, `a:b`, and a client's own `a_b`) stay three ids. The same id always maps the
 * same way, for a call and for the tool message answering it, so the pair still matches.
 */
const ANTHROPIC_TOOL_ID = /^[a-zA-Z0-9_-]+$/;

export function anthropicToolId(id: string): string {
  if (ANTHROPIC_TOOL_ID.test(id)) return id;
  return `${id.replace(/[^a-zA-Z0-9_-]/g, "_")}_${Bun.hash(id).toString(36)}`;
}

/**
 * The `refusal` of an assistant message, OpenAI's field for a turn the model declined (content is then
 * null), or null when it has none. Neither Anthropic nor Gemini has such a field: the adapters send it
 * as the turn's text, since dropping the turn would hide from the model that it had refused. The
 * request parser does not check it, so a value that is not a string is refused here, naming it.
 */
export function assistantRefusal(message: ChatMessage, param: string): string | null {
  const refusal = (message as { refusal?: unknown }).refusal;
  if (refusal === undefined || refusal === null) return null;
  if (typeof refusal !== "string") throw new UnsupportedParameterError(`${param}.refusal`, "An assistant message's refusal must be a string.");
  return refusal;
}

/**
 * An assistant message's content with each refusal part (`{type: "refusal", refusal}`, OpenAI's
 * ContentPartRefusal, which an assistant message may hold beside its text parts) turned into a text
 * part of that refusal, sent as the turn's text for the reason assistantRefusal gives. A refusal that
 * is not a string is refused, naming it. Only assistant content is read so: a refusal part in any
 * other message stays refused by convertContent.
 *
 * @example assistantContent({ role: "assistant", content: [{ type: "refusal", refusal: "No." }] }, "messages[1]") // [{ type: "text", text: "No." }]
 */
export function assistantContent(message: ChatMessage, param: string): ChatMessage["content"] | undefined {
  if (!Array.isArray(message.content)) return message.content;
  return message.content.map((part, j) => {
    if (part.type !== "refusal") return part;
    // Its cache_control goes with its text: Anthropic marks the block, Gemini refuses it (message-fields.ts).
    refusePartFields(part, `${param}.content[${j}]`, CACHE_CONTROL_FIELD);
    if (typeof part.refusal !== "string") throw new UnsupportedParameterError(`${param}.content[${j}].refusal`, "A refusal part's refusal must be a string.");
    const cacheControl = (part as { cache_control?: unknown }).cache_control;
    return cacheControl == null ? { type: "text", text: part.refusal } : { type: "text", text: part.refusal, cache_control: cacheControl };
  });
}

/**
 * The ids a request's tool_use blocks are sent with. Anthropic refuses two tool_use blocks with one id
 * anywhere in a request ("`tool_use` ids must be unique"), while OpenAI pairs a tool message only with
 * the assistant message just before it, so a history whose every turn numbers its calls from 0
 * (`call_0`, `functions.weather:0`) is valid there: an id already sent in an earlier turn is sent with
 * its message's index added, and each tool message answers the id its call was sent with.
 */
interface ToolIds {
  /** Every id sent so far in this request. */
  sent: Set<string>;
  /** The calls of the latest assistant message: the client's id → the id sent. */
  open: Map<string, string>;
}

function toolUseId(ids: ToolIds, clientId: string, messageIndex: number): string {
  const plain = anthropicToolId(clientId);
  let id = plain;
  for (let n = messageIndex; ids.sent.has(id); n++) id = `${plain}_m${n}`;
  ids.sent.add(id);
  ids.open.set(clientId, id);
  return id;
}

function toolUseBlocks(message: ChatMessage, param: string, ids: ToolIds, messageIndex: number): AnthropicBlock[] {
  if (message.tool_calls != null && message.tool_calls.length > 0) ids.open.clear();
  return (message.tool_calls ?? []).map((sent, j) => {
    const call = functionCallOnly(sent, `${param}.tool_calls[${j}]`);
    let input: unknown;
    try {
      input = call.function.arguments.trim() === "" ? {} : JSON.parse(call.function.arguments);
    } catch {
      throw new UnsupportedParameterError(`${param}.tool_calls[${j}].function.arguments`, "Tool call arguments must be a JSON object.");
    }
    if (typeof input !== "object" || input === null || Array.isArray(input)) {
      throw new UnsupportedParameterError(`${param}.tool_calls[${j}].function.arguments`, "Tool call arguments must be a JSON object.");
    }
    const name = anthropicToolUseName(call.function.name, `${param}.tool_calls[${j}].function.name`);
    return { type: "tool_use", id: toolUseId(ids, call.id, messageIndex), name, input };
  });
}

/** Why a conversation with no turn left for the vendor is refused; the Gemini adapter says the same. */
export const NO_TURNS = "This provider needs at least one user or assistant message: system and developer messages alone become its system instruction.";

/** Splits out the system prompt and converts the turns; `name` fields are dropped (Anthropic has none). */
export function convertMessages(messages: ChatMessage[], thinking = false): { system: AnthropicBlock[]; messages: AnthropicMessage[] } {
  checkToolPairing(messages);
  const system: AnthropicBlock[] = [];
  const turns: AnthropicMessage[] = [];
  const ids: ToolIds = { sent: new Set(), open: new Map() };
  // An empty turn (an assistant message with no text and no calls) would be refused by the API, and
  // dropping it after merging could leave two turns of one role side by side: skip it here.
  const push = (role: "user" | "assistant", blocks: AnthropicBlock[]) => {
    if (blocks.length === 0) return;
    const last = turns[turns.length - 1];
    if (last && last.role === role) last.content.push(...blocks);
    else turns.push({ role, content: blocks });
  };
  messages.forEach((message, i) => {
    const param = `messages[${i}]`;
    refuseMessageFields(message, param, CACHE_CONTROL_FIELD);
    switch (message.role) {
      case "system":
      case "developer": {
        // One system block per text part, as Anthropic's `system` takes a list (a part's cache_control on its block).
        const blocks = convertSystemContent(message.content, param);
        markMessage(blocks, message, param);
        system.push(...blocks);
        return;
      }
      case "user": {
        // Dropping it could leave the conversation ending on an assistant turn, which Anthropic would
        // continue as a prefill instead of answering.
        const blocks = convertContent(message.content, param);
        if (blocks.length === 0) throw new UnsupportedParameterError(`${param}.content`, "This provider does not accept a user message without non-whitespace text or an image.");
        markMessage(blocks, message, param);
        return push("user", blocks);
      }
      case "assistant": {
        const blocks = [
          // The turn's thinking first, as Anthropic wrote it, when this request thinks (thinking-blocks.ts).
          ...(thinking ? echoedThinking(message, param) : []),
          ...convertAssistantContent(assistantContent(message, param), param),
          ...convertContent(assistantRefusal(message, param), param),
          ...toolUseBlocks(message, param, ids, i),
        ];
        markMessage(blocks, message, param);
        return push("assistant", blocks);
      }
      case "tool": {
        // checkToolPairing has refused a tool message without a tool_call_id answering a call.
        // Anthropic refuses empty or whitespace-only tool_result content but takes a tool_result without
        // any (content is optional): a tool that printed nothing is answered so, not refused.
        // Parts stay apart as its content blocks (Anthropic takes a list there); a string stays a string.
        const texts = textParts(message.content, param, CACHE_CONTROL_FIELD).filter((text) => text.trim() !== "");
        const content = Array.isArray(message.content) ? texts.map((text) => ({ type: "text", text })) : texts[0];
        const block: AnthropicBlock = { type: "tool_result", tool_use_id: ids.open.get(message.tool_call_id as string) ?? anthropicToolId(message.tool_call_id as string), ...(texts.length === 0 ? {} : { content }) };
        markToolResult(block, message, param);
        return push("user", [block]);
      }
      default:
        throw new UnsupportedParameterError(`${param}.role`, `Unknown role '${String((message as { role: unknown }).role)}'.`);
    }
  });
  const sent = trimPrefill(turns);
  if (sent.length === 0) throw new UnsupportedParameterError("messages", NO_TURNS);
  refuseExtraBreakpoints(system, sent);
  return { system, messages: sent };
}

/** Anthropic takes at most this many cache_control breakpoints in one request; a fifth is its 400 after a vendor call. */
export const MAX_CACHE_BREAKPOINTS = 4;

/** Refuses, before the call, a request whose content parts and messages asked for more breakpoints than Anthropic takes. */
function refuseExtraBreakpoints(system: AnthropicBlock[], turns: AnthropicMessage[]): void {
  let marked = 0;
  for (const block of system) if (block.cache_control !== undefined) marked++;
  for (const turn of turns) for (const block of turn.content) if (block.cache_control !== undefined) marked++;
  if (marked > MAX_CACHE_BREAKPOINTS) {
    throw new UnsupportedParameterError("messages", `This request asks for ${marked} cache_control breakpoints; this provider takes at most ${MAX_CACHE_BREAKPOINTS} in a request.`);
  }
}
