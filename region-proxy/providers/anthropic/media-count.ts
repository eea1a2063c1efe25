/**
 * How many images and document pages Anthropic takes in one request: "100 per request on the API,
 * for models with a 200k-token context window", 600 for the others (Images and vision, "General
 * limits", https://platform.claude.com/docs/en/build-with-claude/vision; the PDF guide's pages per
 * request say the same). More is its 400 after the call, "Too much media: 0 document pages + 102
 * images > 100" (anthropics/claude-code#19822), naming no field; OpenAI takes up to 500 images. So a
 * request with more images and PDFs (each at least one page) than the model takes is refused before
 * the call, naming `messages`. The pages of a PDF past its first are not counted here: that case
 * stays Anthropic's to refuse.
 *
 * @example refuseExtraMedia(turnsWith101Images, "claude-sonnet-4-5") // throws UnsupportedParameterError("messages", ...)
 */
import { UnsupportedParameterError } from "../unsupported-parameter.ts";
import { hasMillionTokenContext } from "./claude-generation.ts";
import type { AnthropicMessage } from "./messages.ts";

/** The images and document pages `model` takes in a request: 600 at a 1M-token context window, else 100. */
export const maxMedia = (model: string): number => (hasMillionTokenContext(model) ? 600 : 100);

export function refuseExtraMedia(turns: AnthropicMessage[], model: string): void {
  let images = 0;
  let documents = 0;
  for (const turn of turns) {
    for (const block of turn.content) {
      if (block.type === "image") images++;
      else if (block.type === "document") documents++;
    }
  }
  const most = maxMedia(model);
  if (images + documents > most) {
    throw new UnsupportedParameterError("messages", `This request holds ${images} images and ${documents} PDF files; this model takes at most ${most} images and document pages in a request.`);
  }
}
