/**
 * An embeddings request's input tokens before the call, for TPM and the budget reservation (and what
 * a call billed without usage is charged), for the deployment the plan tries first.
 *
 * OpenAI and Azure: the BPE chat counts OpenAI prompts with (estimate-prompt-tokens.ts, cl100k_base,
 * the encoding text-embedding-3 bills with). Embedding inputs are often identifiers, hashes, base64 or
 * JSON, which one token per 4 characters under-counts 2-3x, so a budget or TPM level would admit
 * requests several times its size. That same text is slow to tokenize (measured on a 1 MiB input:
 * English ~0.1 us a character, hex, UUIDs or JSON ~0.5-1, base64 ~2.5-4, so seconds for a whole
 * body), so the input is tokenized in pieces until TOKENIZE_BUDGET_MS has gone, and what is left is
 * counted as its UTF-8 bytes: an upper bound (a BPE token holds at least one byte), and a close one
 * (1.4-2x) for the text that is slow to tokenize; English gets the real count for ~50,000 characters
 * or more.
 *
 * Gemini publishes no offline tokenizer: one token per 4 ASCII characters, as documented
 * (estimateEmbeddingTokens). Token-id arrays count their ids.
 *
 * @example estimateEmbeddingInputTokens("hello world", openaiDeployment) // 2
 */
import type { SnapshotDeployment } from "../../shared/snapshot/schema.ts";
import { estimateEmbeddingTokens } from "../openai/parse-embeddings-request.ts";
import type { EmbeddingsRequest } from "../providers/types.ts";
import { countOpenAITextTokens } from "./estimate-prompt-tokens.ts";

/** Tokenizing time one request may spend before the rest of its input is bounded by bytes. */
export const TOKENIZE_BUDGET_MS = 5;
/** Texts are tokenized in pieces this long, so a single huge one cannot overrun the budget by much. */
export const PIECE_CHARS = 1_024;

export function estimateEmbeddingInputTokens(input: EmbeddingsRequest["input"], deployment: SnapshotDeployment | null, budgetMs = TOKENIZE_BUDGET_MS): number {
  if (deployment?.provider !== "openai" && deployment?.provider !== "azure") return estimateEmbeddingTokens(input);
  const deadline = performance.now() + budgetMs;
  let tokens = 0;
  for (const item of typeof input === "string" ? [input] : (input as unknown[])) {
    if (typeof item !== "string") {
      tokens += Array.isArray(item) ? item.length : 1;
      continue;
    }
    // A cut can add about a token (and split a surrogate pair into two 3-byte replacements): still a bound.
    for (let at = 0; at < item.length; at += PIECE_CHARS) {
      const piece = item.length <= PIECE_CHARS ? item : item.slice(at, at + PIECE_CHARS);
      tokens += performance.now() < deadline ? countOpenAITextTokens(piece, deployment.model) : Buffer.byteLength(piece, "utf8");
    }
  }
  return Math.max(1, tokens);
}
