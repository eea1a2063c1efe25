/**
 * Fields an OpenAI-format vendor (OpenAI, Azure) would take as sent and bill for outside the token
 * counts the usage event records, so the spend the gateway writes and the budgets it enforces would be
 * short, as for an unpriced service tier (service-tier.ts) or audio (unpriced-audio.ts):
 * - `web_search_options`: each web search is billed per call, at a price the pricing table has no
 *   column for;
 * - an OpenRouter `plugins` entry with id `web` (a relay baseUrl): its search results are billed per
 *   result beside the tokens (https://openrouter.ai/docs/features/web-search, "Pricing"); and a
 *   `file-parser` entry whose `pdf.engine` is `mistral-ocr`: each PDF page is billed ($2 per 1,000
 *   pages) beside the tokens (https://openrouter.ai/docs/guides/overview/multimodal/pdfs, "Pricing").
 *   Its other engines pass: `cloudflare-ai` (and `pdf-text`, redirected to it) is free, `native` is
 *   billed as input tokens. A file-parser entry without an engine passes too, although OpenRouter's
 *   PDF guide says an engine left out is the model's native file input, else mistral-ocr: that
 *   default is the same with no plugin at all, for any PDF sent to a model without native file input,
 *   which the body cannot tell, so refusing the entry would not stop the charge. Other plugins pass as
 *   the relay's own options;
 * - `data_sources` (Azure "On Your Data"): Azure runs the searches, and for vector queries calls an
 *   embedding deployment of the gateway's own resource, none of it in the answer's usage; and it
 *   makes Azure connect, with the gateway resource's identity, to a search endpoint the request names,
 *   where nothing in a request may choose where the gateway's calls go.
 * Each is a 400 naming it; `null` asks for nothing.
 *
 * @example refuseUnrecordedCharges({ web_search_options: {} }) // throws UnsupportedParameterError("web_search_options", ...)
 */
import { refuseFields, refusedFields } from "./refuse-fields.ts";
import { UnsupportedParameterError } from "./unsupported-parameter.ts";

const REFUSED = refusedFields([
  ["web_search_options", "Web search calls are billed per call at a price the gateway does not record."],
  ["data_sources", "On Your Data searches and their embedding calls are billed outside the answer's usage, and would reach an endpoint named by the request."],
]);

const WEB_PLUGIN = "OpenRouter's web plugin bills its search results per result, at a price the gateway does not record.";
const OCR_PLUGIN = "OpenRouter's file-parser plugin with the mistral-ocr engine bills each PDF page, at a price the gateway does not record.";

/** Why an OpenRouter plugins entry is billed outside the token usage, or null. */
function pluginCharge(plugin: unknown): string | null {
  if (typeof plugin !== "object" || plugin === null) return null;
  const { id, pdf } = plugin as { id?: unknown; pdf?: unknown };
  if (id === "web") return WEB_PLUGIN;
  if (id === "file-parser" && typeof pdf === "object" && pdf !== null && (pdf as { engine?: unknown }).engine === "mistral-ocr") return OCR_PLUGIN;
  return null;
}

export function refuseUnrecordedCharges(raw: Record<string, unknown>): void {
  refuseFields(raw, REFUSED);
  if (!Array.isArray(raw.plugins)) return;
  for (const plugin of raw.plugins) {
    const why = pluginCharge(plugin);
    if (why !== null) throw new UnsupportedParameterError("plugins", why);
  }
}
