/**
 * OpenAI takes a `developer` message on every chat model: it replaces `system`, and a model before o1
 * reads it as one. Azure knows the role only from api-version 2024-12-01-preview on
 * (https://learn.microsoft.com/en-us/azure/ai-services/openai/how-to/reasoning, "Developer Messages";
 * the 2024-10-21 GA spec's messages are system, user, assistant, tool and function), and an older dated
 * version refuses it ("Invalid value: 'developer'. Supported values are: 'system', 'assistant', 'user',
 * 'function', and 'tool'.", run-llama/llama_index#17544). The models that tell the two apart (o1 and
 * later) run only on 2024-12-01-preview and later, so on an older version the message is sent as
 * `system`, as OpenAI reads it there; the v1 API (no api-version) and newer versions get it as sent.
 *
 * @example developerAsSystem(req, () => "2024-10-21") // req with every developer message's role "system"
 */
import type { ChatRequest } from "../types.ts";

/** The first api-version that takes the role (its previews included: "2024-12-01-preview" sorts after it). */
const DEVELOPER_ROLE_SINCE = "2024-12-01";

const isDeveloper = (message: unknown) => typeof message === "object" && message !== null && (message as { role?: unknown }).role === "developer";

/**
 * The request with its developer messages as system ones when `apiVersion` (null for the v1 API, asked
 * only when the request has one) predates the role; else the request itself. Only the body sent (`raw`)
 * changes: nothing else the request builder reads depends on the role.
 */
export function developerAsSystem(req: ChatRequest, apiVersion: () => string | null): ChatRequest {
  const messages = req.raw.messages;
  if (!Array.isArray(messages) || !messages.some(isDeveloper)) return req;
  const version = apiVersion();
  if (version === null || version >= DEVELOPER_ROLE_SINCE) return req;
  return { ...req, raw: { ...req.raw, messages: messages.map((m) => (isDeveloper(m) ? { ...(m as object), role: "system" } : m)) } };
}
