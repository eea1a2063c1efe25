/**
 * One rule for the vendor statuses that are its transient failure, in every adapter: retried and fallen
 * back from, and counted against the breaker except a 429 (the vendor pacing the gateway, not the
 * deployment down: walk-chain.ts does not tell the breaker). 408 and 429, every 5xx (Anthropic's 529
 * overloaded among them), and 499: a vendor's own "cancelled" under load, never the caller's doing. Gemini
 * answers Google's CANCELLED ("The operation was cancelled.", reason backendError:
 * google-gemini/gemini-cli#20309; HTTP 499 on streamGenerateContent, NoeFabris/opencode-antigravity-auth#508),
 * Anthropic `499 {"error":"Client closed request"}` (anthropics/claude-code#8591; openclaw/openclaw#41468
 * made it transient for the same reason), and a relay in front of any vendor may send one. The gateway's
 * own cancel is never classified: a call whose client left is client_closed before its answer is read
 * (walk-chain.ts), so a 499 here is the vendor's, and passing it on would tell a connected client, and
 * the request metrics, that the client closed. An adapter may add its vendor's own (OpenAI's 409).
 *
 * @example if (isTransientStatus(status)) return { retryable: true, ... };
 */
export const isTransientStatus = (status: number): boolean => status === 408 || status === 429 || status === 499 || status >= 500;
