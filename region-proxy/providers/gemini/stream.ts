/**
 * Gemini `streamGenerateContent?alt=sse` events → OpenAI chat.completion.chunks. Each `data:` event
 * is a whole GenerateContentResponse holding the next piece of text, or whole functionCall parts
 * (never partial arguments: each becomes one tool_calls delta with its index and id, and its thought
 * signature in extra_content (thought-signature.ts), so the id a call is given when Gemini gives none
 * is made once and is the call's only one). usageMetadata is
 * cumulative, the last one wins; a stream that ends with no usage holding the answer's count
 * (candidatesTokenCount; only the prompt's, and a thinking model's thoughts') ends without usage, charged
 * as one that sent none but with the counts Gemini did report. Older models repeat finishReason on every event, so the finish
 * chunk is sent once, when the stream ends.
 *
 * With candidateCount > 1 (n) an event carries the next piece of each candidate still writing, each
 * under its index (candidate.ts): each candidate is its own choice, under that index, with its own
 * tool-call indexes from 0 and its own finish chunk; the answer has ended when every candidate seen
 * has a finishReason. usageMetadata counts them all. inlineData parts (an image-capable model's image)
 * are not passed on. A choice that had them and no text or tool call, or ended by NO_IMAGE with none,
 * leaves nothing to send: at the end it gets its finish chunk (stop) when another choice had output, and
 * when none did the answer is refused, as unstreamed (candidate.ts emptyEnd, refuseEmptyAnswer). Such an
 * answer has sent no chunk (a choice's role chunk goes out with its first output), so it is refused
 * before the first byte. A choice ending with an unusable finishReason (a botched tool call) is judged
 * so too, whatever it wrote before: the text on that event is held to the end (sent with its finish
 * chunk when another choice answers; its function calls are never sent, candidate.ts readOne), so an
 * answer of such choices alone that wrote nothing before is refused before the first byte, and one that
 * did gets an error frame.
 *
 * Gemini has no end marker like OpenAI's [DONE] or Anthropic's message_stop. A current model's last
 * event is the one with the candidate's finishReason and the final usageMetadata (stream-text.sse),
 * but an older model's every event carries finishReason STOP and the usage so far
 * (stream-text-legacy-usage.sse), so no single event can be taken for the last. The answer reads
 * complete at the first event with the answer's usage count (candidatesTokenCount; the prompt's and a
 * thinking model's thoughts' come on every event) at or after a finishReason (usage sent apart, after the finishReason event, is waited for),
 * and from then on the stream has a soft end
 * (StreamTranslator.endsIfQuietForMs): every later event is still translated, its usage the last one wins,
 * and the stream ends at EOF, or once the body has stayed silent for the grace after such an event
 * (a vendor holding the body open), its call then aborted and nothing after it translated. The grace
 * depends on what the stream has shown: when an event without a finishReason came before the first
 * finishReason, the stream is a current model's and the finishReason event really is its last, so
 * the grace is END_GRACE_MS; when every event so far carried a finishReason (an older model, or an
 * answer in one event, which cannot be told apart), that event may be followed by more of the answer
 * after any pause, so the grace is LEGACY_END_GRACE_MS.
 */
import type { NormalizedUsage } from "../../../shared/money/cost.ts";
import {
  type ChatCompletionChunk,
  type ResponseContext,
  type SseEvent,
  type StreamTranslator,
  VendorProtocolError,
} from "../types.ts";
import { eventJson } from "../event-json.ts";
import { translatedChunks } from "../translated-chunks.ts";
import { VendorStreamError } from "../vendor-stream-error.ts";
import { isGeminiResponse, emptyEnd, readCandidates, refuseEmptyAnswer, toolCallId } from "./candidate.ts";
import { classifyGeminiError, geminiStreamErrorStatus } from "./errors.ts";
import { isUnusableAnswer, mapGeminiFinishReason } from "./finish-reason.ts";
import { signatureExtra } from "./thought-signature.ts";
import { convertGeminiUsage, type GeminiUsage, hasGeminiCounts, hasGeminiAnswerCount } from "./usage.ts";

/**
 * How long the body may stay silent after an event that made the answer read complete before the
 * stream ends there: longer than two events of one answer are normally apart, and short enough that a
 * vendor holding the body open delays the finish, usage and [DONE] by no more than the drain after
 * another vendor's end marker (vendor-stream.ts's AFTER_MARKER_DRAIN_MS).
 */
export const END_GRACE_MS = 1_000;

/**
 * The grace for a stream whose every event carried a finishReason (an older model, or a one-event
 * answer): each of its events reads complete, so the grace is all that keeps a pause between two
 * chunks of one answer from cutting it there (the client losing the rest, billed at the partial usage).
 * Long enough for any such pause of a vendor still streaming, short enough that a vendor holding the
 * body open after its last event still ends well before typical total timeouts (120 s by default,
 * VENDOR_TOTAL_TIMEOUT_MS); a shorter deadline ends such a stream as upstream_timeout first.
 */
export const LEGACY_END_GRACE_MS = 10_000;

/** What the stream has shown of one candidate (one choice). */
interface ChoiceState {
  finishReason: string | null;
  /** Its tool calls so far: the next one's index. */
  toolCount: number;
  /** Text of it went out. */
  wroteText: boolean;
  /** It had inlineData parts, which are not passed on: alone, the answer is refused at the end (candidate.ts). */
  inlineData: boolean;
  /**
   * The text that came with an unusable finishReason (isUnusableAnswer; its calls are dropped), held
   * until the end: sent then only when another choice answers (n > 1), so an answer refused for it has
   * sent none of it, as when readCandidates threw on that event.
   */
  held: ChatCompletionChunk[];
}

export function createGeminiStreamTranslator(ctx: ResponseContext): StreamTranslator {
  let usage: GeminiUsage | null = null;
  /** Every candidate seen, by index. */
  const choices = new Map<number, ChoiceState>();
  let events = 0;
  /** An event had usage counts at or after every candidate's finishReason, and every candidate seen has ended since: the stream may end (after the grace). */
  let complete = false;
  /** An event without a finishReason came before the first finishReason: a current model's stream (END_GRACE_MS). */
  let current = false;
  /** How many of `choices` have their finishReason. */
  let finishedChoices = 0;
  const out = translatedChunks(ctx);
  const finished = () => choices.size > 0 && finishedChoices === choices.size;
  /** The usage seen if it holds the answer's own count, else null: what finish() charges, and finalUsage once complete. */
  const answerUsage = (): NormalizedUsage | null => (usage && hasGeminiAnswerCount(usage) ? convertGeminiUsage(usage) : null);

  return {
    onEvent(event: SseEvent): ChatCompletionChunk[] {
      const data = eventJson(event, "Gemini");
      const error = (data as { error?: { code?: unknown; status?: unknown } } | null)?.error;
      if (error && typeof error === "object") {
        throw new VendorStreamError(classifyGeminiError(geminiStreamErrorStatus(error), new Headers(), ctx.vendorText?.(event.data) ?? event.data));
      }
      if (!isGeminiResponse(data)) throw new VendorProtocolError("Gemini sent an event that is not a GenerateContentResponse");
      events++;
      const counted = hasGeminiCounts(data.usageMetadata);
      if (counted) usage = data.usageMetadata!;
      const views = readCandidates(data);
      // An event with no candidate (usage alone) is one without a finishReason too.
      if (finishedChoices === 0 && (views.length === 0 || views.some((v) => v.finishReason === null))) current = true;
      const chunks: ChatCompletionChunk[] = [];
      for (const view of views) {
        let choice = choices.get(view.index);
        if (!choice) choices.set(view.index, (choice = { finishReason: null, toolCount: 0, wroteText: false, inlineData: false, held: [] }));
        if (view.inlineData) choice.inlineData = true;
        if (view.finishReason) {
          if (choice.finishReason === null) finishedChoices++;
          choice.finishReason = view.finishReason;
        }
        // An unusable candidate's calls never reach it: readCandidates drops them (candidate.ts readOne).
        const sent = isUnusableAnswer(view.finishReason) ? choice.held : chunks;
        if (view.text !== "") {
          choice.wroteText = true;
          sent.push(out.delta({ content: view.text }, null, view.index));
        }
        for (const call of view.calls) {
          const index = choice.toolCount++;
          sent.push(out.delta({ tool_calls: [{ index, id: toolCallId(call.id), type: "function", function: { name: call.name, arguments: JSON.stringify(call.args) }, ...signatureExtra(call.signature) }] }, null, view.index));
        }
      }
      // Only the answer's own count ends it: a finishReason event with the prompt's count (and a thinking
      // model's thoughts') alone is followed by the final usage, which may come later than the grace.
      // Judged again at each event: a candidate first seen after the others ended (n > 1: choice 1's
      // end and count before choice 0 appeared) makes the answer unfinished again, and a grace still
      // running then would end the stream in that choice's next pause, after bytes went out.
      complete = finished() && (complete || hasGeminiAnswerCount(data.usageMetadata));
      return out.announce(chunks);
    },
    finish() {
      if (events === 0 || !finished()) throw new VendorProtocolError("Gemini stream ended without a finishReason");
      // Usage without the answer's own count (the prompt's and thoughts' alone: the final usage event
      // never came) is not the answer's: none, so the request is charged Gemini's counts (partialUsage)
      // and the text it streamed on top of the thoughts (VendorStream.usageSoFar), never less than a
      // stream without usage; response.ts charges such a usage unstreamed the same.
      const normalized = answerUsage();
      const ended = [...choices.entries()]
        .sort(([a], [b]) => a - b)
        .map(([index, c]) => ({ index, c, finish: mapGeminiFinishReason(c.finishReason, c.toolCount > 0) }));
      refuseEmptyAnswer(ended.map(({ c, finish }) => emptyEnd(c.finishReason, c.inlineData, c.wroteText || c.toolCount > 0, finish)));
      const ends = ended.flatMap(({ index, c, finish }) => [...c.held, out.delta({}, finish, index)]);
      return { chunks: [...out.announce(ends), ...out.closingUsage(normalized)], usage: normalized };
    },
    partialUsage: () => (usage ? convertGeminiUsage(usage) : null),
    // The answer's count on an event at or after every candidate's finishReason (complete) is the count
    // of the whole answer, the usage finish() charges; before that it is a running count. An older
    // model's every event carries a finishReason, so its usage so far reads final at each: what finish()
    // would charge had the stream ended there.
    finalUsage: () => (complete && finished() ? answerUsage() : null),
    endsIfQuietForMs: () => (complete ? (current ? END_GRACE_MS : LEGACY_END_GRACE_MS) : null),
  };
}
