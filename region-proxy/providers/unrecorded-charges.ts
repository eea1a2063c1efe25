/**
 * Fields an OpenAI-format vendor (OpenAI, Azure) would take as sent and bill for outside the token
 * counts the usage event records, so the spend the gateway writes and the budgets it enforces would be
 * short, as for an unpriced service tier (service-tier.ts) or audio (unpriced-audio.ts):
 * - `web_search_options`: each web search is billed per call, at a price the pricing table has no
 *   column for;
 * - an OpenRouter `plugins` entry with id `web` (a relay baseUrl): its search results are billed per
 *   result beside the tokens (https://openrouter.ai/docs/features/web-search, "Pricing"); other
 *   plugins pass as the relay's own options;
 * - `data_sources` (Azure "On Your Data"): Azure runs the searches, and for vector queries calls an
 *   embedding deployment of the gateway's own resource, none of it in the answer's usage; and it
 *   makes Azure connect, with the gateway resource's identity, to a search endpoint the request names,
 *   where nothing in a request may choose where the gateway's calls go.
 * Each is a 400 naming it; `null` asks for nothing.
 *
 * @example refuseUnrecordedCharges({ web_search_options: {} }) // throws UnsupportedParameterError("web_search_options", ...)
 */
import { refuseFields, type RefusedFields } from "./refuse-fields.ts";
import { UnsupportedParameterError } from "./unsupported-parameter.ts";

const REFUSED: RefusedFields = [
  ["web_search_options", "Web search calls are billed per call at a price the gateway does not record."],
  ["data_sources", "On Your Data searches and their embedding calls are billed outside the answer's usage, and would reach an endpoint named by the request."],
];

const isWebPlugin = (plugin: unknown) => typeof plugin === "object" && plugin !== null && (plugin as { id?: unknown }).id === "web";

export function refuseUnrecordedCharges(raw: Record<string, unknown>): void {
  refuseFields(raw, REFUSED);
  if (Array.isArray(raw.plugins) && raw.plugins.some(isWebPlugin)) {
    throw new UnsupportedParameterError("plugins", "OpenRouter's web plugin bills its search results per result, at a price the gateway does not record.");
  }
}
