/**
 * What the Anthropic adapter refuses before a call, for tests: the UnsupportedParameterError that
 * building the Messages body for `model` throws (its param and message), or null when the body is
 * built. Any other error is thrown on.
 *
 * @example expect(anthropicRefusal(request, "claude-opus-5")?.param).toBe("temperature");
 */
import { toAnthropicBody } from "../providers/anthropic/request.ts";
import type { ChatRequest } from "../providers/types.ts";
import { UnsupportedParameterError } from "../providers/unsupported-parameter.ts";

export function anthropicRefusal(request: ChatRequest, model: string): { param: string; message: string } | null {
  try {
    toAnthropicBody(request, model);
    return null;
  } catch (error) {
    if (!(error instanceof UnsupportedParameterError)) throw error;
    return { param: error.param, message: error.message };
  }
}
