/**
 * OpenAI stream translator. The executor always asks the vendor for the usage chunk (`choices: []`,
 * `usage: {...}`); it is forwarded only when the client asked for it, and the `usage: null` OpenAI puts
 * on every other chunk in that mode is removed too, so the client sees exactly what it asked for. The
 * usage chunk goes out last, when [DONE] comes, as OpenAI sends it, wherever the vendor sent it; a
 * vendor that puts its usage on a chunk with choices (the finish chunk) and sends no usage chunk has
 * it moved to that last `choices: []` chunk. Usage that comes once every choice seen
 * has a (non-empty) finish_reason, on the `choices: []` usage chunk, or on a finish chunk when only one
 * choice was seen (DeepSeek, Mistral, Together), is the vendor's count of the whole answer (finalUsage),
 * charged as is on a stream cut after it; any other is a running or per-choice count (vLLM's continuous
 * usage, which with n > 1 counts only its own choice on each choice's chunks), and a choice first seen
 * after usage makes that usage running again.
 * `data: [DONE]` ends the stream (ended()): nothing after it is translated. A stream that ends
 * without it was cut off: finish() throws. A stream without any choice is no answer, as an unstreamed
 * one is (response.ts): chunks without a choice are held until the first choice (the usage chunk until [DONE]), so
 * such a stream sends the client nothing and finish() refuses it before the stream is committed; the
 * usage it reported is charged (partialUsage). Each choice is checked for what the client's SDK builds
 * its answer from (checkChoice): a chunk that breaks it is a VendorProtocolError, never forwarded;
 * tool calls get the type and own index the SDK builds them from (stream-tool-calls.ts), and each
 * choice's first delta the role (stream-roles.ts); a role, tool call id or name, or legacy
 * function_call name a vendor repeats on later deltas is removed (openai-python's stream helper
 * concatenates strings: "assistantassistant").
 * An `{"error":...}` event is classified by `classify` (Azure passes its own) as the HTTP error it
 * stands for (stream-error.ts).
 */
import type { NormalizedUsage } from "../../../shared/money/cost.ts";
import { VendorProtocolError, type ChatCompletionChunk, type OpenAIUsage, type ProviderAdapter, type ResponseContext, type SseEvent, type StreamTranslator } from "../types.ts";
import { checkChoiceFields, isIndex, optionalString } from "./check-choice-fields.ts";
import { classifyOpenAIError } from "./errors.ts";
import { streamError } from "./stream-error.ts";
import { createStreamRoles } from "./stream-roles.ts";
import { createStreamToolCalls, type StreamToolCalls, type ToolCallDelta } from "./stream-tool-calls.ts";
import { convertOpenAIUsage, shownOpenAIUsage } from "./usage.ts";

export function createOpenAIStreamTranslator(ctx: ResponseContext, classify: ProviderAdapter["classifyError"] = classifyOpenAIError): StreamTranslator {
  let usage: NormalizedUsage | null = null;
  // `usage` is the vendor's final count (finalUsage): it came once every choice seen had finished, on
  // the `choices: []` usage chunk or on a finish chunk with one choice seen, and no choice began since.
  let usageFinal = false;
  // Whether each choice seen (by index) has had its finish_reason, and how many have not.
  const finishedOf = new Map<number, boolean>();
  let unfinished = 0;
  let done = false;
  let sawChoice = false;
  // Choice-less chunks without usage met before any choice, for a client that asked for usage: sent with
  // the first. (The usage chunk never comes here: it waits in usageChunk until [DONE].)
  let held: ChatCompletionChunk[] | null = null;
  // Created by the first tool call delta.
  let toolCalls: StreamToolCalls | null = null;
  // For a client that asked for usage, the chunk that shows it, sent last, when [DONE] comes (finish):
  // the vendor's latest billable usage, its usage chunk as it came, or usage it put on a chunk with
  // choices (the finish chunk) as a `choices: []` chunk with that chunk's created and model. OpenAI
  // sends it right before [DONE]; a vendor that sends it earlier (before its finish chunk, or before a
  // trailing empty chunk) still has it reach the client last, where clients read it.
  let usageChunk: ChatCompletionChunk | null = null;
  const roles = createStreamRoles();
  // Each choice's legacy function_call name as its deltas have sent it so far (legacyName).
  let functionNames: Map<number, string> | null = null;
  return {
    onEvent(event: SseEvent): ChatCompletionChunk[] {
      if (done) return [];
      if (event.data === "[DONE]") {
        done = true;
        return [];
      }
      let parsed: unknown;
      try {
        parsed = JSON.parse(event.data);
      } catch {
        throw new VendorProtocolError("vendor stream sent a data line that is not JSON");
      }
      if (typeof parsed !== "object" || parsed === null) throw new VendorProtocolError("vendor stream chunk is not an object");
      const chunk = parsed as ChatCompletionChunk & { error?: unknown };
      if (chunk.error) throw streamError(chunk.error, classify, ctx.vendorText);
      // A usage-only chunk without choices (absent or null: Fireworks, Portkey-AI/gateway#1627; ROCm/ATOM#1711)
      // is the usage chunk OpenAI sends with `choices: []`, and is read (and shown) as that one.
      if (chunk.choices == null && chunk.usage != null) chunk.choices = [];
      if (!Array.isArray(chunk.choices)) throw new VendorProtocolError("vendor stream chunk has no choices array");
      for (let i = 0; i < chunk.choices.length; i++) {
        const choice = chunk.choices[i]!;
        const calls = checkChoice(choice);
        track(choice);
        roles.fill(choice);
        const legacyCall = (choice.delta as { function_call?: unknown } | null | undefined)?.function_call;
        if (legacyCall != null) legacyName(choice.index, legacyCall);
        if (calls !== null && calls.length > 0) (toolCalls ??= createStreamToolCalls()).take(choice.index, calls);
      }
      if (chunk.usage != null) {
        usage = convertOpenAIUsage(chunk.usage);
        if (usage) chunk.usage = shownOpenAIUsage(chunk.usage, usage);
        usageFinal = unfinished === 0 && (chunk.choices.length === 0 || finishedOf.size === 1);
        // Usage that cannot be billed counts as none sent (usage-counts.ts): the client never sees it.
        if (!usage) {
          usageChunk = null; // the estimate charged is shown instead (vendor-stream.ts)
          if (chunk.choices.length === 0) return [];
          chunk.usage = null;
        } else if (chunk.choices.length === 0) {
          // The vendor's own usage chunk: held until [DONE], as the last chunk.
          if (ctx.includeUsage) usageChunk = { ...chunk, id: ctx.completionId };
          return [];
        } else if (ctx.includeUsage) {
          // Usage on a chunk with choices (the finish chunk): shown where OpenAI puts it, at the end.
          usageChunk = { ...chunk, id: ctx.completionId, choices: [], usage: chunk.usage };
          chunk.usage = null;
        }
      }
      if (!sawChoice) {
        if (chunk.choices.length === 0) {
          if (ctx.includeUsage) (held ??= []).push({ ...chunk, id: ctx.completionId });
          return [];
        }
        sawChoice = true;
      }
      if (ctx.includeUsage) {
        // The parsed chunk is the proxy's own: sent as it is, with the client's completion id.
        chunk.id = ctx.completionId;
        if (held === null) return [chunk];
        const first = [...held, chunk];
        held = null;
        return first;
      }
      if (chunk.choices.length === 0) return []; // the usage chunk the client did not ask for
      // Without the usage field (asked for on the client's behalf, every chunk carries `usage: null`);
      // a rest copy rather than `delete`, which would turn every chunk into a slow dictionary object.
      // The copy is the chunk sent: its id is set in place, where the vendor's stood.
      const { usage: _notAsked, ...rest } = chunk;
      rest.id = ctx.completionId;
      return [rest];
    },
    finish() {
      if (!done) throw new VendorProtocolError("vendor stream ended without [DONE]");
      // Nothing was sent (held): refused before the stream is committed, it falls back.
      if (!sawChoice) throw new VendorProtocolError("vendor stream ended without any choice");
      return { chunks: usageChunk === null ? [] : [usageChunk], usage };
    },
    ended: () => done,
    // The usage chunk OpenAI sends last, when the stream is refused or cut short after it.
    partialUsage: () => usage,
    // Usage that came once every choice had finished (the usage chunk; a finish chunk's with one choice
    // seen: DeepSeek, Mistral, Together) is the count of the whole answer; any other (vLLM's continuous
    // usage, per choice with n > 1) is a running one. A choice begun after it makes it running too.
    finalUsage: () => (usageFinal ? usage : null),
  };

  /**
   * Removes a legacy function_call name that repeats what the choice's deltas named (llama-cpp-python
   * names the call on every delta), as stream-tool-calls.ts does a tool call's: openai-python's stream
   * helper concatenates it ("get_weatherget_weather"). A name sent in pieces goes on unchanged, but
   * with no id to tell a piece from a repeat (as stream-tool-calls.ts does), a piece equal to the
   * whole so far ("a" then "a", meaning "aa") is taken as a repeat here and removed.
   */
  function legacyName(index: number, call: unknown): void {
    if (typeof call !== "object" || call === null) return;
    const named = call as { name?: unknown };
    if (typeof named.name !== "string" || named.name === "") return;
    const sent = (functionNames ??= new Map()).get(index);
    if (sent === named.name) named.name = undefined;
    else functionNames.set(index, (sent ?? "") + named.name);
  }

  /** Notes the choice's index and whether it has finished (a checked choice: integer index, string or null finish_reason). */
  function track(choice: ChatCompletionChunk["choices"][number]): void {
    const finished = !!choice.finish_reason;
    const was = finishedOf.get(choice.index);
    if (was === undefined) {
      finishedOf.set(choice.index, finished);
      usageFinal = false;
      if (!finished) unfinished++;
    } else if (!was && finished) {
      finishedOf.set(choice.index, true);
      unfinished--;
    }
  }
}

/**
 * Throws unless a streamed choice has what the client's SDK relies on: the fields an unstreamed
 * choice has too (check-choice-fields.ts: index, finish_reason, the delta's content and refusal), a
 * delta (when present) that is an object, and tool call deltas with an integer index and string id, name and
 * arguments (the SDK concatenates them: a number or an object would become "5" or "[object Object]").
 * One typeof per field, on the path every chunk takes. Returns the checked tool call deltas, null
 * when there are none.
 */
function checkChoice(choice: unknown): ToolCallDelta[] | null {
  if (typeof choice !== "object" || choice === null) throw new VendorProtocolError("vendor stream choice is not an object");
  const { delta } = choice as { delta?: unknown };
  if (delta != null && typeof delta !== "object") throw new VendorProtocolError("vendor stream delta is not an object");
  checkChoiceFields(choice, delta as object | null | undefined, "stream");
  if (delta == null) return null;
  const { tool_calls } = delta as { tool_calls?: unknown };
  if (tool_calls == null) return null;
  if (!Array.isArray(tool_calls)) throw new VendorProtocolError("vendor stream tool_calls is not an array");
  for (const call of tool_calls as unknown[]) {
    if (typeof call !== "object" || call === null) throw new VendorProtocolError("vendor stream tool call is not an object");
    const { index: callIndex, id, function: fn } = call as { index?: unknown; id?: unknown; function?: unknown };
    if (!isIndex(callIndex)) throw new VendorProtocolError("vendor stream tool call index is not a non-negative integer");
    if (!optionalString(id)) throw new VendorProtocolError("vendor stream tool call id is not a string");
    if (fn == null) continue;
    if (typeof fn !== "object") throw new VendorProtocolError("vendor stream tool call function is not an object");
    const { name, arguments: args } = fn as { name?: unknown; arguments?: unknown };
    if (!optionalString(name) || !optionalString(args)) throw new VendorProtocolError("vendor stream tool call name or arguments is not a string");
  }
  return tool_calls as ToolCallDelta[];
}
