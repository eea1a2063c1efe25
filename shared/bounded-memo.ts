/**
 * Answers worked out once per string key (a model name, a time zone) and remembered, at most `maxKeys`
 * of them: past that the memo starts over, forgotten whole, so odd input cannot grow it without end.
 * No per-entry eviction: a JavaScriptCore Map deleted from its oldest end walks its deleted slots to
 * find the next live entry (see FinishedIds in region-proxy/counters/memory-budget-ledger.ts).
 *
 * A remembered `null` is an answer like any other; `undefined` is not a value the memo holds (its type
 * refuses it), as a Map's `get` gives `undefined` for a key it does not have.
 */
export interface BoundedMemo<V extends {} | null> {
  /** `key`'s remembered answer, or `compute(key)`, then remembered. A compute that throws leaves the memo as it was. */
  get(key: string, compute: (key: string) => V): V;
}

/**
 * @example const rules = boundedMemo<ImageRule>(1_000);
 *          rules.get("gpt-4o", ruleOf) // ruleOf("gpt-4o"), then the same rule without calling it again
 */
export function boundedMemo<V extends {} | null>(maxKeys: number): BoundedMemo<V> {
  const answers = new Map<string, V>();
  return {
    get(key, compute) {
      let answer = answers.get(key);
      if (answer === undefined) {
        answer = compute(key);
        if (answers.size >= maxKeys) answers.clear();
        answers.set(key, answer);
      }
      return answer;
    },
  };
}
