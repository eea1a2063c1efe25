/**
 * Gemini 3's refusal of a content that mixes functionResponse parts with parts of any other kind
 * (text, inline data, a file): its 400 "Requests ending with a model turn are not supported.", which
 * names neither the content nor the mix (seen live on gemini-3.x-flash: vellum-ai/vellum-assistant#39495,
 * Prism-Shadow/agenthub#189, TanStack/ai#436). Gemini 2.x takes such a content; the same parts as
 * consecutive user contents Gemini 3 takes too.
 *
 * @example mixedFunctionResponse([{ role: "user", parts: [{ functionResponse: { name: "f", response: {} } }, { text: "and?" }] }]) // "Requests ending with a model turn are not supported."
 */
import type { Content } from "./gemini-request.ts";

export function mixedFunctionResponse(contents: Content[]): string | null {
  for (const content of contents) {
    const responses = content.parts.filter((part) => part.functionResponse != null).length;
    if (responses > 0 && responses < content.parts.length) return "Requests ending with a model turn are not supported.";
  }
  return null;
}
