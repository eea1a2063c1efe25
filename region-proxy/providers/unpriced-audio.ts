/**
 * Audio in chat completions for vendors that take it as sent (OpenAI, Azure): audio tokens, in and
 * out, are billed at rates several times the model's text rates (gpt-4o-audio-preview: $40 and $80 per
 * million audio tokens in and out, against $2.50 and $10 for text), and the pricing table has one price
 * per token class: the spend the gateway records, and the budgets it enforces, would be wrong. So
 * audio output (`modalities` with anything but "text", an `audio` voice) and audio input (an
 * `input_audio` content part) are refused, as a service tier billed at other rates is
 * (service-tier.ts). The other vendors answer text only (refuse-without-equivalent.ts).
 *
 * @example refuseUnpricedAudio({ audio: { voice: "alloy" } }, messages) // throws UnsupportedParameterError("audio", ...)
 */
import { isSet } from "./refuse-without-equivalent.ts";
import type { ChatMessage } from "./types.ts";
import { UnsupportedParameterError } from "./unsupported-parameter.ts";

const UNPRICED_AUDIO = "Audio tokens are billed at prices the gateway does not record; send text only.";

export function refuseUnpricedAudio(raw: Record<string, unknown>, messages: readonly ChatMessage[]): void {
  if (Array.isArray(raw.modalities) && raw.modalities.some((m) => m !== "text")) throw new UnsupportedParameterError("modalities", UNPRICED_AUDIO);
  if (isSet(raw, "audio")) throw new UnsupportedParameterError("audio", UNPRICED_AUDIO);
  for (let i = 0; i < messages.length; i++) {
    const content = messages[i]!.content;
    if (!Array.isArray(content)) continue;
    for (let k = 0; k < content.length; k++) {
      if ((content[k] as { type?: unknown }).type === "input_audio") throw new UnsupportedParameterError(`messages[${i}].content[${k}]`, UNPRICED_AUDIO);
    }
  }
}
