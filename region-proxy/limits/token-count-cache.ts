/**
 * Token counts of long texts, remembered by their content. BPE costs ~28 ns per character here (a
 * 4,000-character prompt: ~110 us of the request thread, more than the rest of the proxy's path), and
 * most long text a gateway sees comes again: a system prompt shared by every request of an
 * application, and in a multi-turn chat every earlier message, re-sent with each turn. Looking a text
 * up costs one pass to hash it (JavaScriptCore hashes a string once and keeps the hash).
 *
 * Bounded by the characters it holds, in two generations: texts are added to the current one and a
 * hit in the previous one is carried over, so what is in use stays; once the current generation holds
 * half the budget it becomes the previous one and the older one is dropped whole. No per-entry
 * eviction: a JavaScriptCore Map deleted from its oldest end walks its deleted slots to find the next
 * live entry (see FinishedIds in memory-budget-ledger.ts).
 */

/** Texts shorter than this are counted each time: cheap, and too many to be worth holding. */
export const MIN_CACHED_CHARS = 256;
/** Characters held by both generations together, at most (~16 MB of UTF-16 strings). */
export const MAX_CACHED_CHARS = 8_000_000;

export interface TokenCountCache {
  /** The count of `text`, from memory or from `count` (then remembered). */
  count(text: string, count: (text: string) => number): number;
  /** Characters currently held (for tests). */
  heldChars(): number;
}

export function createTokenCountCache(maxChars = MAX_CACHED_CHARS, minChars = MIN_CACHED_CHARS): TokenCountCache {
  let current = new Map<string, number>();
  let currentChars = 0;
  let previous = new Map<string, number>();
  let previousChars = 0;

  function remember(text: string, tokens: number): void {
    if (text.length > maxChars / 2) return; // larger than a generation: never held
    if (currentChars + text.length > maxChars / 2) {
      previous = current;
      previousChars = currentChars;
      current = new Map();
      currentChars = 0;
    }
    current.set(text, tokens);
    currentChars += text.length;
  }

  return {
    count(text, count) {
      if (text.length < minChars) return count(text);
      const known = current.get(text);
      if (known !== undefined) return known;
      const older = previous.get(text);
      const tokens = older ?? count(text);
      remember(text, tokens);
      return tokens;
    },
    heldChars: () => currentChars + previousChars,
  };
}
