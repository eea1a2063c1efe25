/**
 * The echo vendor's deterministic arithmetic, in one place so tests can compute what to expect.
 *
 * - reply: `Echo: <text of the last user message>` (whitespace runs read as one space);
 * - pieces: the reply split before each whitespace run (`"Echo:"`, `" hi"`, …): one stream chunk and
 *   one completion token each, so completion_tokens is the number of pieces sent;
 * - prompt_tokens: ceil(total characters of every message's text / 4) + 3 per message.
 *
 * @example echoText([{ role: "user", content: "hi there" }]) // "Echo: hi there"; pieces("Echo: hi there") // ["Echo:", " hi", " there"]
 */
export interface EchoMessage {
  role?: unknown;
  content?: unknown;
}

/** The text of a message: a string, or the `text` parts of a content array joined by a space. */
export function messageText(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => (part && typeof part === "object" && typeof (part as { text?: unknown }).text === "string" ? (part as { text: string }).text : ""))
      .filter((t) => t !== "")
      .join(" ");
  }
  return "";
}

export function promptTokens(messages: EchoMessage[]): number {
  const chars = messages.reduce((sum, m) => sum + messageText(m.content).length, 0);
  return Math.ceil(chars / 4) + 3 * messages.length;
}

/** The last user message's text. */
export function lastUserText(messages: EchoMessage[]): string {
  return messageText([...messages].reverse().find((m) => m.role === "user")?.content);
}

/** The plain answer: `Echo: ` and the last user text, whitespace runs read as one space. */
export function echoText(messages: EchoMessage[]): string {
  return `Echo: ${lastUserText(messages)}`.split(/\s+/).filter((w) => w !== "").join(" ");
}

/** The text cut before each whitespace run (a trailing run is a piece of its own); they concatenate to it. */
export function pieces(text: string): string[] {
  return text.match(/\s*\S+|\s+$/g) ?? [];
}

/** A string in pieces of `size` characters (tool call arguments, streamed as OpenAI does in several deltas). */
export function slices(text: string, size: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}

/** A deterministic unit-free vector for embeddings: `dimensions` values (8 by default) from a string hash. */
export function embeddingVector(text: string, dimensions = 8): number[] {
  let h = 2166136261;
  const out: number[] = [];
  for (let d = 0; d < dimensions; d++) {
    // The text is hashed into the first 8 values; later ones only mix in their position (cheap for 3072).
    if (d < 8) for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
    h = Math.imul(h ^ d, 16777619) >>> 0;
    out.push(Number(((h % 20001) / 10000 - 1).toFixed(6)));
  }
  return out;
}
