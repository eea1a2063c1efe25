import { CLAUDE_ID_START } from "../providers/anthropic/claude-generation.ts";

/**
 * The model a deployment's vendor model name stands for, as the prompt estimate reads it: the one
 * reading both its text's encoding (estimate-prompt-tokens.ts) and its images' rule (image-tokens.ts)
 * start from, with saysGpt4oMini below for both, so a name never means one model for the text and
 * another for the images. (A name the image rule knows but no offline encoding is known for, such as
 * computer-use-preview or a GPT after gpt-5.x, has its text counted at chars/4, as any unknown model's.)
 * Lower-cased; a path's last segment (a router's or compatible server's organisation, `openai/gpt-4o`; Gemini's
 * `models/gemini-2.5-flash`; a Vertex resource path); an OpenAI fine-tune's base model
 * (`ft:gpt-4o-mini-2024-07-18:acme::9abcDEF` is gpt-4o-mini-2024-07-18: a fine-tune is billed and
 * tokenized as its base, https://platform.openai.com/docs/guides/fine-tuning). Bedrock (`anthropic.claude-…-v1:0`)
 * and Vertex (`claude-…@20250929`) Claude ids are left whole: claudeVersion reads them.
 *
 * @example baseModelName("ft:gpt-4o-mini-2024-07-18:acme::9abcDEF") // "gpt-4o-mini-2024-07-18"
 * @example baseModelName("openai/GPT-4o") // "gpt-4o"
 */
export function baseModelName(vendorModel: string): string {
  const name = vendorModel.toLowerCase();
  const last = name.slice(name.lastIndexOf("/") + 1);
  return last.startsWith("ft:") ? last.slice(3).split(":")[0]! : last;
}

/**
 * Whether a name says gpt-4o-mini however an Azure deployment or a fine-tune spells it (gpt4o-mini,
 * GPT-4o_mini, prod-gpt-4o-mini-eu), read from baseModelName's result. Its image tiles cost 33 times
 * gpt-4o's (image-tokens.ts), so any name saying it is taken at its word, and its text is then
 * gpt-4o-mini's too (o200k_base, estimate-prompt-tokens.ts).
 *
 * @example saysGpt4oMini("prod-gpt-4o-mini-eu") // true
 */
export const saysGpt4oMini = (name: string): boolean => name.replace(/[^a-z0-9]/g, "").includes("gpt4omini");

/**
 * Whether a name (baseModelName's result) is a Claude id as the adapters read them: `claude-…`,
 * Bedrock's `anthropic.claude-…` (and its cross-region `us.anthropic.claude-…`), Vertex's
 * `claude-…@20250929`: where claudeVersion looks for one (claude-generation.ts CLAUDE_ID_START). One
 * answer for the image rule (image-tokens.ts) and the PDF page rule (pdf-page-rule.ts), including a
 * Claude id naming no version, which claudeVersion reads as null.
 *
 * @example isClaudeId("anthropic.claude-3-5-sonnet-20240620-v1:0") // true
 * @example isClaudeId("my-claude-proxy") // false
 */
export const isClaudeId = (name: string): boolean => CLAUDE_ID_START.test(name);
