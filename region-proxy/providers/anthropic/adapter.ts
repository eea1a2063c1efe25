/**
 * The Anthropic adapter: OpenAI chat requests in, Anthropic Messages API on the wire, OpenAI
 * completions and chunks out. Pure translation; the executor does the I/O.
 */
import type { ProviderAdapter } from "../types.ts";
import { classifyAnthropicError } from "./errors.ts";
import { buildAnthropicRequest } from "./request.ts";
import { parseAnthropicResponse } from "./response.ts";
import { createAnthropicStreamTranslator } from "./stream.ts";

export const anthropicAdapter: ProviderAdapter = {
  kind: "anthropic",
  buildRequest: buildAnthropicRequest,
  parseResponse: parseAnthropicResponse,
  createStreamTranslator: createAnthropicStreamTranslator,
  classifyError: (status, headers, body) => classifyAnthropicError(status, headers, body),
};
