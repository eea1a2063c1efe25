/**
 * How each model's vendor counts an image (image-tokens.ts): the rule a model name is read to, and the
 * bounds an image by URL (size unknown) is counted at, which an inline image never passes.
 */
import { expect, test } from "bun:test";
import { imageRuleFor } from "./image-tokens.ts";

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
