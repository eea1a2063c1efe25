/**
 * Reads the candidates of a GenerateContentResponse (unstreamed, or one stream event), one view per
 * candidate (several when candidateCount > 1, each the answer of one choice): its index, its visible
 * text (thought summaries, `thought: true`, are not answer text), its function calls (with their thought
 * signatures, thought-signature.ts) and its finish
 * reason; a prompt blocked before any candidate reports its blockReason instead, as candidate 0. A
 * candidate whose output cannot be used (a botched tool call, finish-reason.ts isUnusableAnswer) is read
 * like any other but without its function calls (never the client's to run): once it has ended,
 * emptyEnd says so, and the answer is refused as unusable (unusable-answer.ts: refused, but no sign the
 * deployment is failing) when no choice has an answer (refuseEmptyAnswer); with n > 1 one good choice
 * is the answer, as with an empty one.
 *
 * The gateway sends no responseModalities: a model answers in the modalities it defaults to, and an
 * image-capable one (gemini-2.5-flash-image) answers a chat with inlineData parts (an image), which no
 * chat message carries. They are not forwarded: next to text or a function call the answer is those;
 * an answer of inlineData alone is refused as unusable once it has ended (emptyEnd, refuseEmptyAnswer;
 * with n > 1 only when no choice has an answer), charged the usage Gemini reported, never passed off as
 * an empty answer. Asking for ["TEXT"] instead
 * is not safe: a model accepts only the modality combinations it supports and refuses the request
 * otherwise (an image-generation model may require ["TEXT", "IMAGE"]).
 *
 * A candidate's `index` says which answer it is: a stream event carries the next piece of every
 * candidate still writing, each under its index. Google's JSON leaves an int32 at its default out, so
 * candidate 0 may come without one (Vertex's events do; Google's own JS SDK reads a missing index as 0).
 */
import { newToolCallId } from "../../../shared/ids.ts";
import { VendorProtocolError } from "../types.ts";
import { UnusableAnswerError } from "../unusable-answer.ts";
import { isUnusableAnswer } from "./finish-reason.ts";
import { partSignature } from "./thought-signature.ts";
import type { GeminiUsage } from "./usage.ts";

export interface GeminiResponseBody {
  candidates?: { content?: { parts?: Record<string, unknown>[] }; finishReason?: string; index?: number }[];
  promptFeedback?: { blockReason?: string };
  usageMetadata?: GeminiUsage;
  error?: unknown;
}

export interface CandidateView {
  /** The candidate's index: the choice it answers. */
  index: number;
  text: string;
  /** Its function calls, each with the thoughtSignature Gemini put on its part (null when none). */
  calls: { id: string | null; name: string; args: unknown; signature: string | null }[];
  finishReason: string | null;
  /** It had inlineData parts (an image, audio): output the answer cannot pass on (emptyEnd). */
  inlineData: boolean;
}

export function isGeminiResponse(body: unknown): body is GeminiResponseBody {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return false;
  const b = body as GeminiResponseBody;
  return (b.candidates === undefined || Array.isArray(b.candidates)) && (b.candidates !== undefined || b.promptFeedback !== undefined || b.usageMetadata !== undefined);
}

/**
 * Every candidate of `body`, in the order sent; none for an event that has none (one with usage only).
 * A blocked prompt has no candidate: it is candidate 0, ended by SAFETY. Two candidates with one index
 * would make two answers one choice: a protocol failure.
 */
export function readCandidates(body: GeminiResponseBody): CandidateView[] {
  const candidates = body.candidates ?? [];
  if (candidates.length === 0) {
    const blocked = body.promptFeedback?.blockReason;
    return blocked ? [{ index: 0, text: "", calls: [], finishReason: "SAFETY", inlineData: false }] : [];
  }
  const views = candidates.map(readOne);
  if (new Set(views.map((v) => v.index)).size < views.length) throw new VendorProtocolError("Gemini sent two candidates with one index");
  return views;
}

function readOne(candidate: NonNullable<GeminiResponseBody["candidates"]>[number]): CandidateView {
  if (typeof candidate !== "object" || candidate === null) throw new VendorProtocolError("Gemini sent a candidate that is not an object");
  const index = candidate.index ?? 0;
  if (!Number.isSafeInteger(index) || index < 0) throw new VendorProtocolError("Gemini sent a candidate index that is not a non-negative integer");
  const finishReason = candidate.finishReason ?? null;
  let output: Pick<CandidateView, "text" | "calls" | "inlineData">;
  try {
    output = readContent(candidate.content);
  } catch (e) {
    // The content of a candidate ended as unusable (a malformed function call, a malformed response) is
    // what could not be used: read as none, the answer is refused as unusable (emptyEnd), not as a broken
    // vendor, as it was when such a candidate was refused before its content was read.
    if (!(e instanceof VendorProtocolError) || !isUnusableAnswer(finishReason)) throw e;
    output = { text: "", calls: [], inlineData: false };
  }
  // Its function calls are never passed on, readable or not: Gemini said they cannot be used (one not
  // declared, one past its own tool loop's limit, one malformed), and a client must not run them.
  return { index, ...output, calls: isUnusableAnswer(finishReason) ? [] : output.calls, finishReason };
}

/** A candidate's visible text, function calls and whether it had inlineData parts. */
function readContent(content: unknown): Pick<CandidateView, "text" | "calls" | "inlineData"> {
  let text = "";
  const calls: CandidateView["calls"] = [];
  let inlineData = false;
  // A candidate may come without content (an empty candidate; null is proto3 JSON's absent field), but a
  // content there must be a Content object: a string or a list read as no parts would pass for an empty answer.
  if (content !== undefined && content !== null && (typeof content !== "object" || Array.isArray(content))) {
    throw new VendorProtocolError("Gemini sent a candidate content that is not an object");
  }
  const parts: unknown = (content as { parts?: unknown } | null | undefined)?.parts ?? [];
  // Anything but a list of Part objects is no Content Gemini documents: refused, as a malformed answer is.
  if (!Array.isArray(parts)) throw new VendorProtocolError("Gemini sent content parts that are not a list");
  for (const item of parts as unknown[]) {
    if (typeof item !== "object" || item === null || Array.isArray(item)) throw new VendorProtocolError("Gemini sent a content part that is not an object");
    const part = item as Record<string, unknown>;
    if (typeof part.text === "string" && part.thought !== true) text += part.text;
    if (part.inlineData) inlineData = true;
    const call = part.functionCall as { id?: unknown; name?: unknown; args?: unknown } | undefined;
    if (call) {
      if (typeof call.name !== "string") throw new VendorProtocolError("Gemini functionCall without a name");
      calls.push({ id: typeof call.id === "string" && call.id !== "" ? call.id : null, name: call.name, args: call.args ?? {}, signature: partSignature(part) });
    }
  }
  return { text, calls, inlineData };
}

/**
 * Why an ended candidate leaves the client no answer, where a "stop" would read as the model's last
 * word: it ended with a reason whose output cannot be used (finish-reason.ts isUnusableAnswer: a botched
 * tool call), whatever it wrote before; or it has no text and no function call, its output inlineData
 * alone or ended by NO_IMAGE ("expected to generate an image, but none was generated": an image model's
 * end of a text question it answered with no parts at all, BerriAI/litellm#40477). Null when it has an
 * answer, also one whose content was withheld (`finish` content_filter). `reason` is Gemini's finishReason.
 *
 * An unusable end counts even after text went out: with n = 1 that text was the start of an answer the
 * model then botched, refused as before (an error frame once a stream has begun). With n > 1 and another
 * choice answering, the unusable choice keeps what it wrote (its text, or content null) and ends with
 * the finish reason its finishReason maps to (stop: its calls are dropped, readOne): OpenAI has no finish
 * reason for a botched answer, and cutting text a stream already sent would make the two forms differ.
 */
export function emptyEnd(reason: string | null, inlineData: boolean, passedOutput: boolean, finish: string | null): string | null {
  if (isUnusableAnswer(reason)) return `Gemini ended with ${reason}: the model's answer could not be used`;
  if (passedOutput || finish === "content_filter") return null;
  if (inlineData) return "Gemini answered only inline data (an image or audio), which a chat completion cannot carry";
  if (reason === "NO_IMAGE") return "Gemini ended with NO_IMAGE and no text: the model answered nothing a chat completion can carry";
  return null;
}

/**
 * Refuses an ended answer as unusable when every choice is an empty or unusable end (emptyEnd of each,
 * in index order): with n = 1 its one choice. With n > 1 one choice with an answer is the answer, and an
 * empty or unusable one ends with the finish reason its finishReason maps to (stop), as an empty one did
 * before empty ends were refused: a good choice is not thrown away, and a stream that sent it is not
 * broken after the fact.
 */
export function refuseEmptyAnswer(ends: (string | null)[]): void {
  if (ends.length > 0 && ends.every((end) => end !== null)) throw new UnusableAnswerError(ends[0]!);
}

/**
 * A tool call id for the client: Gemini's own when it gives one, otherwise a fresh random one. Built from
 * the completion id, a client sending the same x-request-id each turn got the same ids every turn.
 */
export function toolCallId(given: string | null): string {
  return given ?? newToolCallId();
}
