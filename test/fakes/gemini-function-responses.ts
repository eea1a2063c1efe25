/**
 * Gemini 3's refusal of a content in which a part of another kind (text, inline data, a file) follows
 * a functionResponse part: its 400 "Requests ending with a model turn are not supported.", which names
 * neither the content nor the part. The reports conflict on who refuses it. Seen on Vertex with
 * gemini-3.6 to 3.8 flash (deepnoodle-ai/dive#287, router-for-me/CLIProxyAPI#5607, agentgateway#2811,
 * which found gemini-3.5-flash taking the same request); Prism-Shadow/agenthub#189 and CLIProxyAPI#5607
 * found the Gemini API taking what Vertex refused, MoonshotAI/kimi-code#3274 found it refused there too.
 * Text before the functionResponse parts was taken (dive#287 on Vertex; google/oss-rebuild#1559 "Text
 * before them is accepted by every model"); TanStack/ai#436 saw such a content refused on
 * gemini-3.1-flash-lite-preview, with no error message or cause shown. The fake refuses, on every
 * gemini-3* model whatever the endpoint, a part after a functionResponse (what the Vertex reports
 * agree on), so that the proxy's split (a user message after tool results is a content of its own) is
 * proven against it. It is not the strictest reading: it takes text before the functionResponse parts,
 * which TanStack/ai#436 saw refused; the proxy never sends that (gemini/messages.ts keeps a content of
 * functionResponse parts apart from any other part), so the gap proves nothing wrong. Gemini 2.x models
 * take the mix, and so does any gemini-3* model when the parts come as consecutive user contents.
 *
 * @example mixedFunctionResponse([{ role: "user", parts: [{ functionResponse: { name: "f", response: {} } }, { text: "and?" }] }]) // "Requests ending with a model turn are not supported."
 */
import type { Content } from "./gemini-request.ts";

export function mixedFunctionResponse(contents: Content[]): string | null {
  for (const content of contents) {
    const first = content.parts.findIndex((part) => part.functionResponse != null);
    if (first >= 0 && content.parts.slice(first).some((part) => part.functionResponse == null)) return "Requests ending with a model turn are not supported.";
  }
  return null;
}

/**
 * Gemini's refusal, on every model, of a call turn (a model content with N functionCall parts) whose
 * next content does not hold N functionResponse parts: "Please ensure that the number of function
 * response parts is equal to the number of function call parts of the function call turn."
 * (google-gemini/gemini-cli#2347, #4217, #6418, #16415). vertesia/llumiverse#620 replayed both shapes
 * against Vertex generateContent: the answers split over consecutive user contents got that 400 on
 * gemini-2.5-flash and gemini-3.1-flash-lite, the same answers merged into one content 200. A call turn
 * that ends the request is not judged here.
 *
 * @example unansweredCalls([{ role: "model", parts: [{ functionCall: { name: "f", args: {} } }] }, { role: "user", parts: [{ text: "?" }] }]) // "Please ensure ..."
 */
export function unansweredCalls(contents: Content[]): string | null {
  for (const [i, content] of contents.entries()) {
    const calls = content.role === "model" ? content.parts.filter((part) => part.functionCall != null).length : 0;
    const next = contents[i + 1];
    if (calls === 0 || next === undefined) continue;
    if (next.parts.filter((part) => part.functionResponse != null).length !== calls) {
      return "Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.";
    }
  }
  return null;
}
