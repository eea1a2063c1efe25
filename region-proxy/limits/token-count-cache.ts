/**
 * Token counts of long texts, remembered by a hash of their content. BPE costs ~28 ns per character
 * here (a 4,000-character prompt: ~110 us of the request thread, more than the rest of the proxy's
 * path), and most long text a gateway sees comes again: a system prompt shared by every request of an
 * application, and in a multi-turn chat every earlier message, re-sent with each turn. Hashing a text
 * (Bun.hash, wyhash) costs ~0.2 us per 4,000 characters.
 *
 * Only the 64-bit hash is kept, never the text: no prompt stays in memory past its request. Two texts
 * with the same hash would share a count: among the 100,000 held, about one chance in 4 billion, and an
 * estimate is corrected by the vendor's usage after the call anyway.
 *
 * Bounded by entries, in two generations: counts are added to the current one and a hit in the
 * previous one is carried over, so what is in use stays; once the current generation holds half the
 * bound it becomes the previous one and the older one is dropped whole. No per-entry eviction: a
 * JavaScriptCore Map deleted from its oldest end walks its deleted slots to find the next live entry
 * (see FinishedIds in memory-budget-ledger.ts).
 */

/** Texts shorter than this are counted each time: cheap, and too many to be worth holding. */
export const MIN_CACHED_CHARS = 256;
/** Counts held by both generations together, at most (a few MB). */
export const MAX_CACHED_TEXTS = 100_000;

export interface TokenCountCache {
  /** The count of `text`, from memory or from `count` (then remembered). */
  count(text: string, count: (text: string) => number): number;
  /** Counts currently held (for tests). */
  size(): number;
}

export function createTokenCountCache(maxTexts = MAX_CACHED_TEXTS, minChars = MIN_CACHED_CHARS): TokenCountCache {
  let current = new Map<bigint, number>();
  let previous = new Map<bigint, number>();

  function remember(key: bigint, tokens: number): void {
    if (current.size >= maxTexts / 2) {
      previous = current;
      current = new Map();
    }
    current.set(key, tokens);
  }

  return {
    count(text, count) {
      if (text.length < minChars) return count(text);
      const key = BigInt(Bun.hash(text));
      const known = current.get(key);
      if (known !== undefined) return known;
      const tokens = previous.get(key) ?? count(text);
      remember(key, tokens);
      return tokens;
    },
    size: () => current.size + previous.size,
  };
}
