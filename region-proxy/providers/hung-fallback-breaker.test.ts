/**
 * A fallback deployment that hangs for its whole total is told to the breaker, also when an earlier
 * call of the walk used its own share of the deadline (the usual outage: the first deployment timed
 * out too). The walk once took any call whose total reached past the request's deadline as "cut short
 * by the request", which after a timed-out first call is always so by the few ms the walk spends
 * between calls: the hung fallback ended at timeout_total and the breaker heard nothing, though it was
 * given its total less a few ms (cut-short-by-request.ts). Review fra F2.
 */
import { afterEach, expect, test } from "bun:test";
import type { SnapshotDeployment } from "../../shared/snapshot/schema.ts";
import { createMemoryBreaker } from "../breaker/memory-breaker.ts";
import { testExecuteOptions } from "../testing/execute-options.ts";
import { executeChat } from "./execute.ts";
import { openaiAdapter } from "./openai/adapter.ts";
import type { ChatRequest } from "./types.ts";

const servers: ReturnType<typeof Bun.serve>[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.stop(true);
});
const messages = [{ role: "user", content: "hi" }];
const chat = { model: "m", messages, stream: false, includeUsage: false, raw: { model: "m", messages } } as unknown as ChatRequest;
const hung = () => {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", development: false, idleTimeout: 0, fetch: () => new Promise<Response>(() => {}) });
  servers.push(server);
  return server.port!;
};
const target = (id: string, port: number) => ({
  deployment: { id, provider: "openai", baseUrl: `http://127.0.0.1:${port}/v1`, model: `${id}-model`, region: "eu", credentialRef: "env:K", timeouts: { totalMs: 400 } } as SnapshotDeployment,
  adapter: openaiAdapter,
});

test("both deployments hang for their whole total: each one's breaker hears the failure", async () => {
  const breaker = createMemoryBreaker({ failureThreshold: 1, coolDownMs: 30_000 });
  const result = await executeChat(chat, [target("d1", hung()), target("d2", hung())], testExecuteOptions({ health: breaker }));
  const steps = result.trail.steps.map((s) => `${s.deploymentId}:${s.outcome}:${s.reason}:${s.latencyMs >= 350 ? "full" : "short"}`);
  expect(steps.filter((s) => s.includes(":error:"))).toEqual(["d1:error:timeout_total:full", "d2:error:timeout_total:full"]);
  // d2 hung for ~its whole 400 ms, as d1 did: both circuits open (threshold 1).
  expect({ d1: breaker.canAttempt("d1"), d2: breaker.canAttempt("d2") }).toEqual({ d1: false, d2: false });
});
