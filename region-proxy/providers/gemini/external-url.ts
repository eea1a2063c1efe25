/**
 * Whether Gemini can fetch a media URL the adapter sends as `fileData.fileUri` (an image_url's http(s)
 * URL, a file part's PDF by URL: content.ts). Gemini fetches external URLs from the 2.5 models on, over
 * https ("HTTPS/Signed URLs", blog.google "Increased file size limits and expanded inputs support in
 * Gemini API"; vercel/ai#13045 and #16757 pass them through to Gemini 2.5+ and 3.x, the 2.0 family and
 * plain http excluded). Gemini 2.0 and older answer one with 400 INVALID_ARGUMENT "Invalid or unsupported
 * file uri: https://..." (BoundaryML/baml#1548 on gemini-2.0-flash, googleapis/python-genai#71 on
 * gemini-1.5-flash). So either is refused before the call, naming the part, and a chain moves on to a
 * deployment that can. An id naming no version (gemini-flash-latest, a tuned model) is sent: it is
 * taken for a current model, as elsewhere in this adapter.
 *
 * @example refuseUnfetchableUrl("https://example.com/a.png", "messages[0].content[1].image_url.url", "gemini-2.0-flash") // throws UnsupportedParameterError
 */
import { UnsupportedParameterError } from "../unsupported-parameter.ts";
import { geminiVersion } from "./model-version.ts";

/** Whether `model` fetches external URLs: Gemini 2.5 and later, or an id naming no version. */
function fetchesExternalUrls(model: string): boolean {
  const version = geminiVersion(model);
  return version === null || version.major > 2 || (version.major === 2 && version.minor >= 5);
}

/** Refuses `url` (an http(s) URL, trimmed) where `model` would not fetch it; `param` names the part's field. */
export function refuseUnfetchableUrl(url: string, param: string, model: string): void {
  if (/^http:/i.test(url)) throw new UnsupportedParameterError(param, "Gemini fetches files by https URL only; send it by https, or inline as a base64 data: URL.");
  if (!fetchesExternalUrls(model)) {
    throw new UnsupportedParameterError(param, "This model (Gemini 2.0 or older) does not fetch files by URL; send it inline as a base64 data: URL, or use Gemini 2.5 or later.");
  }
}
