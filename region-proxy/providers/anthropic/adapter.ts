/**
 * The Anthropic adapter: OpenAI chat requests in, Anthropic Messages API on the wire, OpenAI
 * completions and chunks out. Pure translation; the executor does the I/O.
 */
import type { NormalizedUsage } from "../../../shared/money/cost.ts";
import type { ProviderAdapter } from "../types.ts";
import { anthropicErrorStatus, classifyAnthropicError } from "./errors.ts";
import { buildAnthropicRequest } from "./request.ts";
import { parseAnthropicResponse } from "./response.ts";
import { createAnthropicStreamTranslator } from "./stream.ts";
import { convertAnthropicUsage, type AnthropicUsage } from "./usage.ts";

export const anthropicAdapter: ProviderAdapter = {
  kind: "anthropic",
  buildRequest: buildAnthropicRequest,
  parseResponse: parseAnthropicResponse,
  createStreamTranslator: createAnthropicStreamTranslator,
  classifyError: (status, headers, body) => classifyAnthropicError(status, headers, body),
  reportedUsage: reportedAnthropicUsage,
  // A 200 body that is only Anthropic's error object: read as the same object in a stream's error event is.
  errorStatus: anthropicErrorStatus,
};

/** The usage an Anthropic Messages body reports, whatever else is wrong with it (null when unusable). */
function reportedAnthropicUsage(body: unknown): NormalizedUsage | null {
  return typeof body === "object" && body !== null ? convertAnthropicUsage((body as { usage?: AnthropicUsage }).usage) : null;
}
