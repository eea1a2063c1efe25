import { describe, expect, test } from "bun:test";
import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { estimatePromptTokens } from "./estimate-prompt-tokens.ts";
import { createTokenCountCache, MIN_CACHED_CHARS } from "./token-count-cache.ts";

/** A counter that says how often it ran: one "token" per 4 characters. */
function countingCounter() {
  const calls: string[] = [];
  return { calls, count: (text: string) => (calls.push(text), Math.ceil(text.length / 4)) };
}

const long = (seed: string, length = MIN_CACHED_CHARS * 2) => seed.repeat(Math.ceil(length / seed.length)).slice(0, length);

describe("token count cache", () => {
  test("a long text is counted once, whatever string object carries it; a short one every time", () => {
    const cache = createTokenCountCache();
    const counter = countingCounter();
    const text = long("a system prompt shared by every request. ");
    // Each request parses its own copy of the text: equal content, a different string.
    const copies = Array.from({ length: 5 }, () => JSON.parse(JSON.stringify(text)) as string);
    for (const copy of copies) expect(cache.count(copy, counter.count)).toBe(Math.ceil(text.length / 4));
    expect(counter.calls.length).toBe(1);
    for (let i = 0; i < 3; i++) cache.count("short", counter.count);
    expect(counter.calls.length).toBe(4);
  });

  test("holds at most its bound of counts, and keeps a text still in use across generations", () => {
    const bound = 20;
    const cache = createTokenCountCache(bound);
    const counter = countingCounter();
    const inUse = long("the system prompt ");
    for (let i = 0; i < 200; i++) {
      cache.count(inUse, counter.count);
      cache.count(long(`turn ${i} of a chat `), counter.count);
      expect(cache.size()).toBeLessThanOrEqual(bound);
    }
    // 200 distinct turns were counted, the prompt in use only once though generations turned over.
    expect(counter.calls.filter((text) => text === inUse).length).toBe(1);
    expect(counter.calls.length).toBe(201);
  });

  test("different texts of the same length get their own counts", () => {
    const cache = createTokenCountCache();
    const counter = countingCounter();
    const a = long("a");
    const b = `${a.slice(0, -1)}b`;
    cache.count(a, (text) => 1);
    expect(cache.count(b, counter.count)).toBe(Math.ceil(b.length / 4));
    expect(cache.count(a, counter.count)).toBe(1);
  });

  test("estimates are the same whether a message was seen before or not", () => {
    const text = long("Platform teams route every request through one gateway. ", 4_000);
    const request = { model: "alias", messages: [{ role: "user" as const, content: text }], stream: false, includeUsage: false, raw: {} };
    const expected = 3 + 3 + countTokens("user") + countTokens(text);
    expect(estimatePromptTokens(request, "gpt-4o-mini")).toBe(expected);
    expect(estimatePromptTokens(structuredClone(request), "gpt-4o-mini")).toBe(expected);
  });
});
