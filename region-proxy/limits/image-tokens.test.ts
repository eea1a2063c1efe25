/**
 * How each model's vendor counts an image (image-tokens.ts): the rule a model name is read to, and the
 * bounds an image by URL (size unknown) is counted at, which an inline image never passes.
 */
import { expect, test } from "bun:test";
import { encodingFor } from "./estimate-prompt-tokens.ts";
import { imageRuleFor } from "./image-tokens.ts";
import { baseModelName, isClaudeId } from "./model-name.ts";

test("Gemini 2: an image is scaled to fit 3072x3072 before its 768 px tiles, so it counts at most 16 tiles (4128), the figure an image by URL is given", () => {
  const gemini = imageRuleFor("gemini-2.5-flash");
  expect(gemini.tokens(null, "auto")).toBe(16 * 258);
  expect(gemini.tokens({ width: 8000, height: 6000 }, "auto")).toBe(4 * 3 * 258); // 3072 x 2304
  expect(gemini.tokens({ width: 20_000, height: 20_000 }, "auto")).toBe(16 * 258);
  expect(gemini.tokens({ width: 3072, height: 3072 }, "auto")).toBe(16 * 258);
  // Under the cap the tiles are as before.
  expect(gemini.tokens({ width: 1024, height: 768 }, "auto")).toBe(2 * 258);
  expect(gemini.tokens({ width: 384, height: 384 }, "auto")).toBe(258);
});

test("a Claude id is read as claude-generation.ts reads it: Bedrock and Vertex ids too", () => {
  for (const id of ["anthropic.claude-3-5-sonnet-20240620-v1:0", "us.anthropic.claude-sonnet-4-20250514-v1:0", "claude-sonnet-4-5@20250929", "claude-3-5-sonnet-latest"]) {
    expect([id, imageRuleFor(id).tokens(null, "auto")]).toEqual([id, 1600]);
  }
  for (const id of ["us.anthropic.claude-opus-4-7-v1:0", "claude-opus-4-7@20260101", "claude-sonnet-latest"]) expect([id, imageRuleFor(id).tokens(null, "auto")]).toEqual([id, 4784]);
});

test("isClaudeId, the one reading of 'a Claude id' for the image and PDF page rules: plain, Bedrock and Vertex ids, not a name merely containing claude", () => {
  for (const id of ["claude-3-5-sonnet-20240620", "claude-sonnet-latest", "anthropic.claude-3-5-sonnet-20240620-v1:0", "us.anthropic.claude-opus-4-7-v1:0", "claude-sonnet-4-5@20250929", "anthropic/Claude-Sonnet-4"]) {
    expect([id, isClaudeId(baseModelName(id))]).toEqual([id, true]);
  }
  for (const id of ["gpt-4o", "my-claude-proxy", "gemini-2.5-flash"]) expect([id, isClaudeId(baseModelName(id))]).toEqual([id, false]);
});

test("a router's organisation prefix reads the same for the image rule and the text's encoding", () => {
  const size = { width: 1024, height: 1024 };
  expect(imageRuleFor("openai/gpt-4o").tokens(size, "high")).toBe(imageRuleFor("gpt-4o").tokens(size, "high"));
  expect(encodingFor("openai/gpt-4o")).toBe(encodingFor("gpt-4o"));
  expect(imageRuleFor("models/gemini-2.5-flash").tokens(null, "auto")).toBe(imageRuleFor("gemini-2.5-flash").tokens(null, "auto"));
});

test("gpt-4o-mini under other spellings (a fine-tune, an Azure deployment name) is priced as gpt-4o-mini: 2833 + 5667 a tile, and its text tokenized as gpt-4o-mini's", () => {
  const size = { width: 1024, height: 1024 };
  const mini = imageRuleFor("gpt-4o-mini").tokens(size, "high");
  expect(mini).toBe(2833 + 4 * 5667);
  for (const name of ["ft:gpt-4o-mini-2024-07-18:acme::9abcDEF", "gpt4o-mini", "GPT-4o_mini", "prod-gpt-4o-mini-eu", "gpt-4omini"]) {
    expect([name, imageRuleFor(name).tokens(size, "high")]).toEqual([name, mini]);
    // One model for the text and the images (model-name.ts): not gpt-4o-mini's images beside text at chars/4.
    expect([name, encodingFor(name)]).toEqual([name, "o200k_base"]);
  }
});

test("a name no rule knows: the common rules' largest (gpt-4o's tiles, gpt-4.1-nano's patches, Claude 4.7), at most 4784; not gpt-4o-mini's, which only its name says", () => {
  expect(imageRuleFor("prod-chat").tokens(null, "auto")).toBe(4784);
  expect(imageRuleFor("prod-chat").tokens({ width: 1024, height: 1024 }, "high")).toBe(Math.max(765, Math.ceil(1024 * 2.46), Math.ceil((1024 * 1024) / 750)));
});
