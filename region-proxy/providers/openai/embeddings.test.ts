/**
 * OpenAI (and Azure) embeddings usage as billed: the vendor's prompt_tokens when usable, else the
 * gateway's estimate of the input, as chat does (usage-counts.ts): garbage or missing usage is never
 * cheaper than real usage, and the client sees the usage it is charged.
 */
import { describe, expect, test } from "bun:test";
import type { EmbeddingsRequest } from "../types.ts";
import { parseOpenAIEmbeddings } from "./embeddings.ts";

const req: EmbeddingsRequest = { model: "emb", input: ["a".repeat(40), "b".repeat(8)], encodingFormat: "float", raw: {} };
/** What the gateway estimates for `req`: one token per 4 characters of each input. */
const ESTIMATE = 10 + 2;
const answer = (usage: unknown) => ({ object: "list", data: [{ object: "embedding", index: 0, embedding: [1] }, { object: "embedding", index: 1, embedding: [1] }], model: "m", usage });

describe("parseOpenAIEmbeddings usage", () => {
  test("a usable prompt_tokens is billed and shown as the vendor sent it", () => {
    const parsed = parseOpenAIEmbeddings(answer({ prompt_tokens: 7, total_tokens: 7 }), req, { model: "m" });
    expect(parsed.usage.inputTokens).toBe(7);
    expect(parsed.response.usage).toEqual({ prompt_tokens: 7, total_tokens: 7 });
  });

  for (const [what, usage] of [["missing", undefined], ["negative", { prompt_tokens: -5_000_000 }], ["absurd", { prompt_tokens: 1e12 }], ["a string", { prompt_tokens: "7" }], ["fractional", { prompt_tokens: 1.5 }]] as const) {
    test(`${what} prompt_tokens is billed (and shown) as the estimate of the input`, () => {
      const parsed = parseOpenAIEmbeddings(answer(usage), req, { model: "m" });
      expect(parsed.usage.inputTokens).toBe(ESTIMATE);
      expect(parsed.response.usage).toEqual({ prompt_tokens: ESTIMATE, total_tokens: ESTIMATE });
    });
  }
});
