/** Azure non-stream response: OpenAI's parser on the body with Azure's annotations removed. */
import type { NormalizedUsage } from "../../../shared/money/cost.ts";
import { parseOpenAIResponse } from "../openai/response.ts";
import type { ChatCompletion, ResponseContext } from "../types.ts";
import { stripContentFilter } from "./content-filter.ts";

export function parseAzureResponse(body: unknown, ctx: ResponseContext): { completion: ChatCompletion; usage: NormalizedUsage } {
  const clean = typeof body === "object" && body !== null && !Array.isArray(body) ? stripContentFilter(body as Record<string, unknown>) : body;
  return parseOpenAIResponse(clean, ctx);
}
