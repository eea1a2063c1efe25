/**
 * Refuses, before the call, an image URL or a PDF by URL on a Bedrock or Vertex form of Claude id
 * (claude-generation.ts isPlatformId): "On Amazon Bedrock and Google Cloud, only base64-encoded sources
 * are currently available" (Anthropic's vision guide, https://platform.claude.com/docs/en/build-with-claude/vision),
 * and Claude on Bedrock fails an http image URL (pollinations/pollinations#5862). content.ts and
 * document-block.ts would send it as a `url` source, and the platform's 400 would end the fallback
 * walk; this one, naming the client's field, lets a chain skip the deployment. Inline data is sent.
 * A Vertex id of Claude 4.6 or later reads as Anthropic's own (no `@date`) and is sent the URL.
 *
 * @example refusePlatformMediaUrls([{ role: "user", content: [{ type: "image_url", image_url: { url: "https://a.b/c.png" } }] }], "us.anthropic.claude-sonnet-4-5-20250929-v1:0") // throws UnsupportedParameterError("messages[0].content[0].image_url.url", ...)
 */
import { isHttpUrl } from "../image-data-url.ts";
import type { ChatMessage } from "../types.ts";
import { UnsupportedParameterError } from "../unsupported-parameter.ts";
import { isPlatformId } from "./claude-generation.ts";

const WHY = "On Amazon Bedrock and Google Cloud Vertex AI, Claude takes images and PDFs only as base64 data, not by URL; send it as a base64 data: URL, or use another model.";

export function refusePlatformMediaUrls(messages: ChatMessage[], model: string): void {
  if (!isPlatformId(model)) return;
  messages.forEach((message, i) => {
    if (!Array.isArray(message.content)) return;
    message.content.forEach((part, j) => {
      const param = `messages[${i}].content[${j}]`;
      const url = part.type === "image_url" ? (part.image_url as { url?: unknown } | undefined)?.url : undefined;
      // Read trimmed, as content.ts imageBlock and pdf-file-data.ts readPdfFile read them.
      if (typeof url === "string" && isHttpUrl(url.trim())) throw new UnsupportedParameterError(`${param}.image_url.url`, WHY);
      const file = part.type === "file" ? (part as { file?: { file_data?: unknown } }).file : undefined;
      const fileData = typeof file === "object" && file !== null ? file.file_data : undefined;
      if (typeof fileData === "string" && isHttpUrl(fileData.trim())) throw new UnsupportedParameterError(`${param}.file.file_data`, WHY);
    });
  });
}
