/**
 * ExecuteOptions for tests that drive executeChat (or the walk) directly against small local vendors:
 * generous timeouts, no backoff to speak of, a credential for every deployment, a breaker that always
 * lets the call through and is asked by deployment id (so a test reads a breaker it passes in by the
 * ids it planned), a client that never leaves and no log; `extra` replaces any of them.
 *
 * @example await executeChat(chat(), [target(url)], testExecuteOptions({ health: createMemoryBreaker() }))
 */
import { alwaysHealthy } from "../providers/deployment-health.ts";
import type { ExecuteOptions } from "../providers/execute.ts";

export function testExecuteOptions(extra: Partial<ExecuteOptions> = {}): ExecuteOptions {
  return {
    firstByteMs: 5_000,
    totalMs: 10_000,
    backoff: { baseMs: 1, capMs: 1 },
    resolveCredential: () => ({ ok: true, credential: "sk-test" }),
    health: alwaysHealthy,
    circuitOf: (deployment) => deployment.id,
    clientSignal: new AbortController().signal,
    log: () => {},
    ctx: { completionId: "chatcmpl-test", created: 1, includeUsage: false },
    ...extra,
  };
}
