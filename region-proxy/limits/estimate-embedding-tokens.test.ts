import { expect, test } from "bun:test";
import { encode } from "gpt-tokenizer/encoding/cl100k_base";
import type { SnapshotDeployment } from "../../shared/snapshot/schema.ts";
import { estimateEmbeddingTokens } from "../openai/parse-embeddings-request.ts";
import { estimateEmbeddingInputTokens, PIECE_CHARS } from "./estimate-embedding-tokens.ts";

const deployment = (provider: SnapshotDeployment["provider"], model: string): SnapshotDeployment => ({ id: "d", provider, baseUrl: "https://x", model, region: "us", credentialRef: "env:K" });
const openai = deployment("openai", "text-embedding-3-small");
const base64 = Buffer.from(new Uint8Array(2_700).map((_, i) => (i * 7919 + 13) % 251)).toString("base64");
const hex = Array.from({ length: 40 }, (_, i) => (i * 2654435761).toString(16).padStart(16, "0")).join(",");
const english = "The committee reviewed the quarterly report and approved the budget for next year. ".repeat(60);
const unbounded = Number.POSITIVE_INFINITY;

/** The count, to within what cutting long runs into pieces adds (estimate-prompt-tokens.ts countInSlices). */
const closeAbove = (count: number, real: number) => expect(count >= real && count <= real * 1.01).toBe(true);

test("OpenAI and Azure inputs are counted with cl100k, which text-embedding-3 bills with", () => {
  for (const text of [base64, hex, english]) {
    closeAbove(estimateEmbeddingInputTokens(text, openai, unbounded), encode(text).length);
    // An Azure deployment's name is its operator's: still cl100k.
    closeAbove(estimateEmbeddingInputTokens(text, deployment("azure", "my-embedder"), unbounded), encode(text).length);
  }
  // What chars/4 got wrong: identifiers and encodings are 2-3x that.
  expect(estimateEmbeddingInputTokens(base64, openai, unbounded)).toBeGreaterThan(2 * estimateEmbeddingTokens(base64));
  closeAbove(estimateEmbeddingInputTokens(["alpha", base64], openai, unbounded), encode("alpha").length + encode(base64).length);
});

test("past the tokenizing budget the input is counted as its UTF-8 bytes, never fewer than the BPE's", () => {
  const emoji = "🙂".repeat(PIECE_CHARS); // pieces cut surrogate pairs
  for (const text of [base64, hex, english, "日本語のテキスト".repeat(400), emoji]) {
    const bound = estimateEmbeddingInputTokens(text, openai, 0);
    expect(bound).toBeGreaterThanOrEqual(Buffer.byteLength(text, "utf8"));
    expect(bound).toBeGreaterThanOrEqual(encode(text).length);
  }
});

test("Gemini keeps the documented approximation; token-id arrays count their ids", () => {
  expect(estimateEmbeddingInputTokens(base64, deployment("gemini", "gemini-embedding-001"))).toBe(estimateEmbeddingTokens(base64));
  expect(estimateEmbeddingInputTokens(base64, null)).toBe(estimateEmbeddingTokens(base64));
  expect(estimateEmbeddingInputTokens([1, 2, 3], openai)).toBe(3);
  expect(estimateEmbeddingInputTokens([[1, 2], [3]], openai)).toBe(3);
});
