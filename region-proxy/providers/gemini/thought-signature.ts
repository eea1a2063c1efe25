/**
 * Gemini's thought signatures in OpenAI's format. Gemini puts a `thoughtSignature` on the functionCall
 * parts of a thinking model's answer (Gemini 3 always, on the first call of a step; 2.5 with thinking)
 * and wants each sent back exactly as received (https://ai.google.dev/gemini-api/docs/thought-signatures).
 * OpenAI's tool call has no field for it, so it travels where Google's own OpenAI-compatible endpoint
 * puts it: `tool_calls[i].extra_content.google.thought_signature`, on the returned call (unstreamed, and
 * on the streamed delta that starts the call) and on the assistant message that replays it.
 *
 * A call that comes back without one (a history Gemini did not write, or a client that dropped the
 * field) gets Google's documented bypass value instead, on the first call of its step only.
 *
 * @example signatureExtra("CiQB...") // { extra_content: { google: { thought_signature: "CiQB..." } } }
 * @example clientSignature({ id: "c", type: "function", function: { name: "f", arguments: "{}" } }, "messages[1].tool_calls[0]") // null
 */
import type { ToolCall } from "../types.ts";
import { UnsupportedParameterError } from "../unsupported-parameter.ts";

/** Google's value for a replayed call Gemini did not sign; Gemini 3 accepts it in place of a signature. */
export const SKIP_THOUGHT_SIGNATURE = "skip_thought_signature_validator";

/** What a returned tool call (or its starting delta) carries for `signature`: nothing when Gemini gave none. */
export function signatureExtra(signature: string | null): { extra_content?: { google: { thought_signature: string } } } {
  return signature === null ? {} : { extra_content: { google: { thought_signature: signature } } };
}

/** A part's thoughtSignature, or null when it has none. */
export function partSignature(part: Record<string, unknown>): string | null {
  return typeof part.thoughtSignature === "string" && part.thoughtSignature !== "" ? part.thoughtSignature : null;
}

/**
 * The signature a replayed tool call carries back (`param` names the call), or null when it has none.
 * One that is there but not a string is the client's mistake, refused naming it.
 */
export function clientSignature(call: ToolCall, param: string): string | null {
  const extra = (call as { extra_content?: unknown }).extra_content;
  if (typeof extra !== "object" || extra === null) return null;
  const google = (extra as { google?: unknown }).google;
  if (typeof google !== "object" || google === null) return null;
  const signature = (google as { thought_signature?: unknown }).thought_signature;
  if (signature === undefined || signature === null) return null;
  if (typeof signature !== "string" || signature === "") {
    throw new UnsupportedParameterError(`${param}.extra_content.google.thought_signature`, "A thought signature must be the non-empty string Gemini returned.");
  }
  return signature;
}
