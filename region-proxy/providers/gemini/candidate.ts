/**
 * Reads the first candidate of a GenerateContentResponse (unstreamed, or one stream event): its
 * visible text (thought summaries, `thought: true`, are not answer text), its function calls and its
 * finish reason; a prompt blocked before any candidate reports its blockReason instead. A candidate
 * that ended on an unusable tool call is thrown as a protocol failure (finish-reason.ts).
 */
import { newToolCallId } from "../../../shared/ids.ts";
import { VendorProtocolError } from "../types.ts";
import { isUnusableToolCall } from "./finish-reason.ts";
import type { GeminiUsage } from "./usage.ts";

export interface GeminiResponseBody {
  candidates?: { content?: { parts?: Record<string, unknown>[] }; finishReason?: string }[];
  promptFeedback?: { blockReason?: string };
  usageMetadata?: GeminiUsage;
  error?: unknown;
}

export interface CandidateView {
  text: string;
  calls: { id: string | null; name: string; args: unknown }[];
  finishReason: string | null;
}

export function isGeminiResponse(body: unknown): body is GeminiResponseBody {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return false;
  const b = body as GeminiResponseBody;
  return (b.candidates === undefined || Array.isArray(b.candidates)) && (b.candidates !== undefined || b.promptFeedback !== undefined || b.usageMetadata !== undefined);
}

export function readCandidate(body: GeminiResponseBody): CandidateView {
  const candidate = body.candidates?.[0];
  if (!candidate) {
    const blocked = body.promptFeedback?.blockReason;
    return { text: "", calls: [], finishReason: blocked ? "SAFETY" : null };
  }
  if (isUnusableToolCall(candidate.finishReason)) throw new VendorProtocolError(`Gemini ended with ${candidate.finishReason}: the model's tool call could not be used`);
  let text = "";
  const calls: CandidateView["calls"] = [];
  for (const part of candidate.content?.parts ?? []) {
    if (typeof part.text === "string" && part.thought !== true) text += part.text;
    const call = part.functionCall as { id?: unknown; name?: unknown; args?: unknown } | undefined;
    if (call) {
      if (typeof call.name !== "string") throw new VendorProtocolError("Gemini functionCall without a name");
      calls.push({ id: typeof call.id === "string" && call.id !== "" ? call.id : null, name: call.name, args: call.args ?? {} });
    }
  }
  return { text, calls, finishReason: candidate.finishReason ?? null };
}

/**
 * A tool call id for the client: Gemini's own when it gives one, otherwise a fresh random one. Built from
 * the completion id, a client sending the same x-request-id each turn got the same ids every turn.
 */
export function toolCallId(given: string | null): string {
  return given ?? newToolCallId();
}
