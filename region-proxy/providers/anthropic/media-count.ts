/**
 * How many images and document pages Anthropic takes in one request: "100 per request on the API,
 * for models with a 200k-token context window", 600 for the others (Images and vision, "General
 * limits", https://platform.claude.com/docs/en/build-with-claude/vision; the PDF guide's pages per
 * request say the same). More is its 400 after the call, "Too much media: 0 document pages + 102
 * images > 100" (anthropics/claude-code#19822), naming no field; OpenAI takes up to 500 images. So a
 * request with more images and PDFs (each at least one page) than the model takes is refused before
 * the call, naming `messages`. The pages of a PDF past its first are not counted here: that case
 * stays Anthropic's to refuse. So is an inline image over 2000 px a side among more than 20 (MANY_IMAGES).
 *
 * @example refuseExtraMedia(turnsWith101Images, "claude-sonnet-4-5") // throws UnsupportedParameterError("messages", ...)
 */
import { imageDimensions } from "../image-bytes.ts";
import { UnsupportedParameterError } from "../unsupported-parameter.ts";
import { hasMillionTokenContext } from "./claude-generation.ts";
import type { AnthropicBlock } from "./content.ts";
import type { AnthropicMessage } from "./messages.ts";

/**
 * The images and document pages `model` takes in a request: 600 at a 1M-token context window, else
 * 100. The PDF guide's "Maximum pages per request" is the same limit, so the prompt estimate's page
 * rule (limits/pdf-page-rule.ts) reads it here too.
 */
export const maxMedia = (model: string): number => (hasMillionTokenContext(model) ? 600 : 100);

/**
 * In a request of more than MANY_IMAGES images Anthropic takes none larger than MANY_IMAGES_SIDE px a
 * side: "If you submit more than 20 images in one API request, this limit is reduced to 2000x2000 px"
 * (the vision page's "General limits"), its 400 "At least one of the image dimensions exceed max
 * allowed size for many-image requests: 2000 pixels" (anthropics/claude-code#9375). Inline images are
 * read from their headers (image-bytes.ts); one by URL, or of a size its header does not tell, is sent.
 */
export const MANY_IMAGES = 20;
export const MANY_IMAGES_SIDE = 2000;

export function refuseExtraMedia(turns: AnthropicMessage[], model: string): void {
  const images: AnthropicBlock[] = [];
  let documents = 0;
  for (const turn of turns) {
    for (const block of turn.content) {
      if (block.type === "image") images.push(block);
      else if (block.type === "document") documents++;
    }
  }
  const most = maxMedia(model);
  if (images.length + documents > most) {
    throw new UnsupportedParameterError("messages", `This request holds ${images.length} images and ${documents} PDF files; this model takes at most ${most} images and document pages in a request.`);
  }
  if (images.length <= MANY_IMAGES) return;
  for (const block of images) {
    const source = block.source as { type?: unknown; data?: unknown };
    const size = source.type === "base64" && typeof source.data === "string" ? imageDimensions(source.data) : null;
    if (size && (size.width > MANY_IMAGES_SIDE || size.height > MANY_IMAGES_SIDE)) {
      throw new UnsupportedParameterError(
        "messages",
        `This request holds ${images.length} images; with more than ${MANY_IMAGES} this provider takes none larger than ${MANY_IMAGES_SIDE}x${MANY_IMAGES_SIDE} px, and one is ${size.width}x${size.height}. Send it scaled down, or fewer images.`,
      );
    }
  }
}
