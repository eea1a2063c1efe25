/**
 * gpt-tokenizer keeps, by default, an LRU "merge cache" of up to 100,000 pre-tokens per encoding, keyed
 * by their text verbatim (words, numbers, identifiers, a key pasted into a prompt): 60-120 MB once full,
 * and once full every new word drops the Map's first key, which on JavaScriptCore walks its deleted slots
 * (31-135 us per drop), so every estimate on the replica slowed from ~0.2 ms to ~1 ms. The proxy turns
 * it off; token-count-cache.ts remembers long texts by hash only.
 */
import { expect, test } from "bun:test";
import { heapStats } from "bun:jsc";
import type { ChatRequest } from "../providers/types.ts";
import { estimatePromptTokens } from "./estimate-prompt-tokens.ts";

const letters = "abcdefghijklmnopqrstuvwxyz";
const word = (n: number) => { let s = ""; for (let i = 0; i < n; i++) s += letters[Math.floor(Math.random() * 26)]; return s; };
const chat = (content: string) => ({ model: "gpt-4o-mini", messages: [{ role: "user", content }], raw: {} }) as unknown as ChatRequest;

/** The tokenizer's internals: the merge cache is private to gpt-tokenizer (3.4: a Map, or undefined when off). */
function mergeCacheOf(encoding: "o200k_base" | "cl100k_base"): { mergeCacheSize: number; mergeCache?: Map<string, unknown> } {
  const core = require(`gpt-tokenizer/encoding/${encoding}`).default.bytePairEncodingCoreProcessor;
  expect(core).toBeDefined(); // a gpt-tokenizer that moved it: look again at how its cache is turned off
  return core;
}

test("no text of a prompt stays in the tokenizer once its estimate is made, for either encoding", () => {
  for (const [model, encoding] of [["gpt-4o-mini", "o200k_base"], ["gpt-4", "cl100k_base"]] as const) {
    const secret = `sk${word(46)}`;
    estimatePromptTokens(chat(`here is my api key ${secret} do not store it`), model);
    const core = mergeCacheOf(encoding);
    expect(core.mergeCacheSize).toBe(0);
    expect([...(core.mergeCache?.keys() ?? [])].filter((k) => k.includes(secret.slice(2, 30)))).toEqual([]);
  }
});

test("the tokenizer holds no more memory however many distinct words clients send", () => {
  const heap = () => { Bun.gc(true); return heapStats().heapSize; };
  estimatePromptTokens(chat("warm up"), "gpt-4o-mini");
  const h0 = heap();
  // < 256 characters: below the hash cache's minimum, so only the tokenizer could keep anything.
  for (let i = 0; i < 20_000; i++) estimatePromptTokens(chat(`${word(60)} ${word(60)}`), "gpt-4o-mini");
  expect(heap() - h0).toBeLessThan(8_000_000);
  expect(mergeCacheOf("o200k_base").mergeCache?.size ?? 0).toBe(0);
}, 60_000);
