/**
 * The echo vendor's deterministic arithmetic, in one place so tests can compute what to expect.
 *
 * - reply: `Echo: <text of the last user message>`, cut to `maxTokens` words when given;
 * - prompt_tokens: ceil(total characters of every message's text / 4) + 3 per message;
 * - completion_tokens: the number of whitespace-separated words of the reply (one stream chunk each).
 *
 * @example echoReply([{ role: "user", content: "hi there" }], undefined) // { text: "Echo: hi there", words: [...3], truncated: false }
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

export function echoReply(messages: EchoMessage[], maxTokens: number | undefined): { words: string[]; truncated: boolean } {
  const lastUser = [...messages].reverse().find((m) => m.role === "user");
  const words = `Echo: ${messageText(lastUser?.content)}`.split(/\s+/).filter((w) => w !== "");
  if (maxTokens !== undefined && maxTokens > 0 && words.length > maxTokens) return { words: words.slice(0, maxTokens), truncated: true };
  return { words, truncated: false };
}

/** The vector size asked (`dimensions`, as OpenAI's text-embedding-3 honours it, up to 3072), else 8. */
export function echoDimensions(asked: unknown): number {
  return Number.isSafeInteger(asked) && (asked as number) >= 1 && (asked as number) <= 3072 ? (asked as number) : 8;
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
