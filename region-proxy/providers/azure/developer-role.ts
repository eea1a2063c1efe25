/**
 * OpenAI takes a `developer` message on every chat model: it replaces `system`, and a model before o1
 * reads it as one. Azure knows the role only from api-version 2024-12-01-preview on
 * (https://learn.microsoft.com/en-us/azure/ai-services/openai/how-to/reasoning, "Developer Messages";
 * the 2024-10-21 GA spec's messages are system, user, assistant, tool and function), and an older dated
 * version refuses it ("Invalid value: 'developer'. Supported values are: 'system', 'assistant', 'user',
 * 'function', and 'tool'.", run-llama/llama_index#17544). On an older version the message is sent as
 * `system`, as a model before o1 reads it. o1 and later run only from 2024-12-01-preview; o1-preview
 * and o1-mini, which run on older versions (2024-09-01-preview added their max_completion_tokens),
 * take neither role there (developer: the refusal above, for o1-mini in llama_index#17748; system:
 * "'messages[0].role' does not support 'system' with this model", crewAIInc/crewAI#1633,
 * OpenHands/OpenHands#4839), so on them a developer message is refused by Azure, as system. The v1 API
 * (no api-version) and newer versions get the message as sent.
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
