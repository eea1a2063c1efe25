/**
 * The model a deployment's vendor model name stands for, as the prompt estimate reads it: the one
 * reading both its text's encoding (estimate-prompt-tokens.ts) and its images' rule (image-tokens.ts)
 * start from, so a name never means one model for the text and another for the images. Lower-cased;
 * a path's last segment (a router's or compatible server's organisation, `openai/gpt-4o`; Gemini's
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
