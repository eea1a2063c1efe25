/**
 * The input tokens of one image as the deployment's vendor bills it for its model, for the prompt
 * estimate (estimate-prompt-tokens.ts): an upper-ish bound, since the estimate is what the budget and
 * TPM reservations hold before the call and what a call cut before its usage arrived is charged. The
 * size is the image's own when the proxy holds its bytes (a data URL, ../providers/image-bytes.ts);
 * for an image the vendor fetches by URL it is unknown, and the model's worst case is counted.
 *
 * The vendors' documentation, as each rule cites it:
 * - OpenAI / Azure, tile models (https://platform.openai.com/docs/guides/images-vision, "Calculating
 *   costs"): `detail: "low"` costs the base alone; otherwise the image is fitted in 2048×2048, its
 *   shortest side scaled to 768, and each 512 px tile costs `tile` on top of the base: gpt-4o, gpt-4.1,
 *   gpt-4.5 85 + 170, gpt-4o-mini 2833 + 5667 (Azure's calculator has the same), o1 / o3 75 + 150,
 *   gpt-5 / gpt-5.1 70 + 140, computer-use-preview 65 + 129. The largest image after that scaling is
 *   768×2048: 8 tiles. `auto` may be `high`: counted as `high`.
 * - OpenAI, patch models (same guide): ceil(w/32) × ceil(h/32) patches of 32 px, an image over the
 *   model's patch budget scaled down to fit it, times the model's multiplier: gpt-4.1-mini and
 *   gpt-5-mini 1.62, gpt-4.1-nano and gpt-5-nano 2.46, o4-mini 1.72, budget 1536. Later GPT-5 models
 *   (the guide's "model sizing behavior" table, as openai/codex#19806 and the issues citing it quote
 *   it): multiplier 1.2, budget 1536 (gpt-5.2, gpt-5.3), 2500 (gpt-5.4), 10,000 (gpt-5.5); from
 *   gpt-5.6 `auto` keeps the original size up to 30,000 patches and `high` fits 2500. No `low` budget
 *   is documented for patch models: counted at their budget.
 * - Anthropic (https://platform.claude.com/docs/en/build-with-claude/vision): about width × height / 750
 *   tokens (the current page counts ceil(w/28) × ceil(h/28) visual tokens; the larger of the two is
 *   taken), an image over the model's native resolution scaled down first: at most ~1,600 tokens
 *   (1568 px long edge, ~1.15 megapixels) before Claude 4.7, at most 4784 visual tokens (2576 px) from
 *   Claude 4.7 on. The proxy sends no detail to Anthropic.
 * - Gemini (https://ai.google.dev/gemini-api/docs/tokens, https://ai.google.dev/gemini-api/docs/media-resolution):
 *   Gemini 2 (and 1.5) counts 258 tokens for an image at most 384 px on both sides, else 258 per
 *   768×768 tile; Gemini 3 allots 1120 tokens per image at its default (high) media resolution, which
 *   the proxy never changes. A larger image is first "scaled down and padded to fit a maximum
 *   resolution of 3072 x 3072 while preserving their original aspect ratio" (Google's image
 *   requirements, firebase.google.com/docs/vertex-ai/input-file-requirements), so an image counts at
 *   most 16 tiles, 4128 tokens, and an image by URL is counted at that. Gemini 2.5 counts less in
 *   practice (258 for a 3840×2160 image on gemini-2.5-pro, googleapis/python-genai#1349): an upper bound.
 * A name is read once (model-name.ts, as the text's encoding is): a router's prefix and a fine-tune's
 * `ft:` come off; Claude and Gemini ids are read by the adapters' own readers (claudeVersion, which
 * takes Bedrock and Vertex ids; geminiSeries); gpt-4o-mini is known under any spelling that says it.
 * - Any other model name (an Azure deployment named otherwise, an OpenAI-compatible server): the
 *   largest of the common rules (gpt-4o's tiles, gpt-4.1-nano's patches, Claude 4.7's visual tokens),
 *   at most 4784 tokens. Not gpt-4o-mini's (25,501 for a 1024×1024 image, 48,169 by URL), though an
 *   unnamed deployment may be one: an unknown name is common on Azure (its model field holds the
 *   deployment's name), and counting every image there at gpt-4o-mini's 33× tiles would refuse
 *   ordinary image requests on any TPM level under ~50,000 and hold 33 times a gpt-4o deployment's
 *   image cost in a budget. The price of that choice: a gpt-4o-mini deployment whose name does not
 *   say so has its images reserved at about a 33rd of what they bill, until the vendor's usage
 *   corrects the charge; one whose name says so (gpt4o-mini, prod-gpt-4o-mini) is counted as one.
 */
import { boundedMemo } from "../../shared/bounded-memo.ts";
import { claudeVersion } from "../providers/anthropic/claude-generation.ts";
import { geminiSeries } from "../providers/gemini/model-version.ts";
import type { ImageSize } from "../providers/image-bytes.ts";
import { baseModelName, isClaudeId, saysGpt4oMini } from "./model-name.ts";

/** The detail an image part asks for; anything but "low" and "high" (none, "original") is "auto". */
export type ImageDetail = "low" | "high" | "auto";

export interface ImageRule {
  /** Tokens of one image of `size` (null: not known, the model's worst case) at `detail`. */
  tokens(size: ImageSize | null, detail: ImageDetail): number;
  /**
   * The detail a PDF page's image is read at: Chat Completions takes no detail for a file, and OpenAI's
   * file-inputs guide says `auto` reads page images at `low` before GPT-5.6 and at `high` from it on.
   */
  pdfPageDetail: ImageDetail;
}

/** OpenAI's tile scaling: fitted in 2048×2048, then the shortest side to 768 (never scaled up). */
function tileCount(size: ImageSize): number {
  const fit = Math.min(1, 2048 / Math.max(size.width, size.height));
  const short = Math.min(1, 768 / (Math.min(size.width, size.height) * fit));
  const scale = fit * short;
  return Math.ceil(Math.floor(size.width * scale) / 512) * Math.ceil(Math.floor(size.height * scale) / 512);
}

/** The most tiles an image can have after the scaling: 768×2048, 2 × 4. */
const MOST_TILES = 8;

function tiles(base: number, tile: number, pdfPageDetail: ImageDetail = "low"): ImageRule {
  return {
    tokens: (size, detail) => (detail === "low" ? base : base + tile * (size ? Math.max(1, tileCount(size)) : MOST_TILES)),
    pdfPageDetail,
  };
}

/** Patch budgets by detail; `auto` is the original size on models that keep it. */
function patches(multiplier: number, budget: number, autoBudget = budget, pdfPageDetail: ImageDetail = "low"): ImageRule {
  return {
    tokens(size, detail) {
      const most = detail === "auto" ? autoBudget : budget;
      const count = size ? Math.min(most, Math.ceil(size.width / 32) * Math.ceil(size.height / 32)) : most;
      return Math.ceil(count * multiplier);
    },
    pdfPageDetail,
  };
}

function claude(most: number): ImageRule {
  return {
    tokens: (size) => (size ? Math.min(most, Math.max(Math.ceil((size.width * size.height) / 750), Math.ceil(size.width / 28) * Math.ceil(size.height / 28))) : most),
    pdfPageDetail: "auto",
  };
}

/** The largest image Gemini reads: a larger one is scaled down (and padded) to fit it, keeping its aspect ratio. */
const GEMINI_LARGEST_SIDE = 3072;
/** Gemini 2's tiles, at most (3072 / 768)^2 = 16 of them (4128 tokens): also an image of unknown size. */
const GEMINI_2: ImageRule = {
  tokens(size) {
    if (!size) return 258 * (GEMINI_LARGEST_SIDE / 768) ** 2;
    if (size.width <= 384 && size.height <= 384) return 258;
    const fit = Math.min(1, GEMINI_LARGEST_SIDE / Math.max(size.width, size.height));
    return 258 * Math.ceil(Math.floor(size.width * fit) / 768) * Math.ceil(Math.floor(size.height * fit) / 768);
  },
  pdfPageDetail: "auto",
};
const GEMINI_3: ImageRule = { tokens: () => 1120, pdfPageDetail: "auto" };

/** The larger count of several rules, for a name that may be any of them. */
function largestOf(...rules: ImageRule[]): ImageRule {
  return { tokens: (size, detail) => Math.max(...rules.map((rule) => rule.tokens(size, detail))), pdfPageDetail: "high" };
}

const CLAUDE_STANDARD = claude(1600);
const CLAUDE_HIGH_RESOLUTION = claude(4784);
const GPT_4O = tiles(85, 170);
/** A model name no rule knows: at most 4784 tokens per image. */
const UNKNOWN_MODEL_RULE = largestOf(GPT_4O, patches(2.46, 1536), CLAUDE_HIGH_RESOLUTION);

/** OpenAI's models, first match wins (a mini's or nano's name starts like its family's). */
const GPT_4O_MINI = tiles(2833, 5667);
const OPENAI_RULES: ReadonlyArray<[RegExp, ImageRule]> = [
  [/^gpt-(4\.1|5(\.\d+)?)-nano/, patches(2.46, 1536)],
  [/^gpt-(4\.1|5(\.\d+)?)-mini/, patches(1.62, 1536)],
  [/^o4-mini/, patches(1.72, 1536)],
  [/^(o1|o3)(?![\d.])/, tiles(75, 150)],
  [/^computer-use/, tiles(65, 129)],
  [/^gpt-5(\.[01])?(?![\d.])/, tiles(70, 140)],
  [/^gpt-5\.[23](?!\d)/, patches(1.2, 1536)],
  [/^gpt-5\.4(?!\d)/, patches(1.2, 2500)],
  [/^gpt-5\.5(?!\d)/, patches(1.2, 10_000)],
  // gpt-5.6 and every later GPT: auto keeps the original size, up to 30,000 patches.
  [/^gpt-(5\.([6-9]|\d\d)|[6-9](?!\d)|\d\d)/, patches(1.2, 2500, 30_000, "high")],
  [/^(gpt-4|chatgpt-4o)/, GPT_4O],
];

function ruleOf(vendorModel: string): ImageRule {
  const m = baseModelName(vendorModel);
  // gpt-4o-mini however a deployment spells it (model-name.ts): its tiles cost 33 times gpt-4o's.
  if (saysGpt4oMini(m)) return GPT_4O_MINI;
  for (const [pattern, rule] of OPENAI_RULES) if (pattern.test(m)) return rule;
  // Claude and Gemini ids as the adapters read them (Bedrock's anthropic.claude-…, Vertex's …@date).
  const claude = claudeVersion(m);
  if (claude) return claude.major < 4 || (claude.major === 4 && claude.minor <= 6) ? CLAUDE_STANDARD : CLAUDE_HIGH_RESOLUTION;
  // A Claude id naming no version is taken for a newer model (claude-generation.ts): the larger images.
  if (isClaudeId(m)) return CLAUDE_HIGH_RESOLUTION;
  const gemini = geminiSeries(m);
  if (gemini !== null) return gemini <= 2 ? GEMINI_2 : GEMINI_3;
  if (m.startsWith("gemini")) return largestOf(GEMINI_2, GEMINI_3); // gemini-flash-latest: either
  return UNKNOWN_MODEL_RULE;
}

/** Each model's rule, once worked out (bounded, as the encodings are). */
const rules = boundedMemo<ImageRule>(1_000);

/**
 * How `vendorModel`'s vendor counts an image.
 * @example imageRuleFor("gpt-4o").tokens({ width: 1024, height: 1024 }, "high") // 765
 */
export function imageRuleFor(vendorModel: string): ImageRule {
  return rules.get(vendorModel, ruleOf);
}
