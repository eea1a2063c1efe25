/**
 * WalkOptions.recheck is asked right before each vendor call, the first, a retry and a fallback alike:
 * a deployment it refuses is not called (the trail names it skipped, with the reason), a half-open
 * probe slot it was granted is given back, and the walk's answer is the last call's failure, or the
 * recheck's own answer when no call was left to make.
 */
import { afterEach, expect, test } from "bun:test";
import type { GatewayError } from "../../shared/errors/openai-error.ts";
import type { SnapshotDeployment } from "../../shared/snapshot/schema.ts";
import { createMemoryBreaker } from "../breaker/memory-breaker.ts";
import type { AttemptRecheck } from "../pipeline/residency-recheck.ts";
import { testExecuteOptions } from "../testing/execute-options.ts";
import { executeChat } from "./execute.ts";
import { openaiAdapter } from "./openai/adapter.ts";
import type { ChatRequest } from "./types.ts";

const servers: ReturnType<typeof Bun.serve>[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.stop(true);
});
/** A vendor answering `status` (200: a completion), counting its calls. */
function vendor(status: number): { url: string; calls: () => number } {
  let calls = 0;
  const completion = { id: "x", object: "chat.completion", created: 1, model: "m", choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } };
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    development: false,
    fetch: () => {
      calls++;
      return status === 200 ? Response.json(completion) : Response.json({ error: { message: "overloaded", type: "server_error" } }, { status });
    },
  });
  servers.push(server);
  return { url: `http://127.0.0.1:${server.port}/v1`, calls: () => calls };
}
const target = (id: string, url: string) => ({ deployment: { id, provider: "openai", baseUrl: url, model: `${id}-model`, region: "eu", credentialRef: "env:K" } as SnapshotDeployment, adapter: openaiAdapter });
const messages = [{ role: "user", content: "hi" }];
const chat = { model: "m", messages, stream: false, includeUsage: false, raw: { model: "m", messages } } as unknown as ChatRequest;
const FORBIDDEN: GatewayError = { kind: "residency_violation", message: "not here any more" };
/** Refuses the ids in `refused` once `after` calls to refuses() were allowed; `request`: the request itself is refused then. */
function recheck(refused: string[], after = 0, request: GatewayError | null = null): AttemptRecheck & { asked: string[] } {
  const asked: string[] = [];
  return {
    asked,
    refuses: (deployment) => (asked.push(deployment.id) > after && refused.includes(deployment.id) ? (request === null ? "residency_changed" : "key_refused") : null),
    answer: () => FORBIDDEN,
    requestRefused: () => request,
  };
}

test("a fallback the recheck refuses is not called: the first deployment's failure is the answer, the trail names the skip", async () => {
  const [first, second] = [vendor(503), vendor(200)];
  const guard = recheck(["d2"]);
  const result = await executeChat(chat, [target("d1", first.url), target("d2", second.url)], testExecuteOptions({ recheck: guard }));
  expect({ firstCalls: first.calls(), secondCalls: second.calls() }).toEqual({ firstCalls: 2, secondCalls: 0 });
  expect(result).toMatchObject({ ok: false, error: { kind: "upstream_error" } });
  expect(result.trail).toMatchObject({ attempts: 2, fallback: false, deployment: { id: "d1" } });
  expect(result.trail.steps.map((s) => [s.deploymentId, s.outcome, s.reason])).toEqual([
    ["d1", "error", "status_503"],
    ["d1", "error", "status_503"],
    ["d2", "skipped", "residency_changed"],
  ]);
  // Asked before every call: the first, its retry, the fallback.
  expect(guard.asked).toEqual(["d1", "d1", "d2"]);
});

test("a retry the recheck refuses (the snapshot changed after the first call) is not made", async () => {
  const only = vendor(503);
  const result = await executeChat(chat, [target("d1", only.url)], testExecuteOptions({ recheck: recheck(["d1"], 1) }));
  expect(only.calls()).toBe(1);
  expect(result).toMatchObject({ ok: false, error: { kind: "upstream_error" } });
});

test("every deployment refused before any call: no vendor is called and the recheck's answer is the caller's", async () => {
  const [first, second] = [vendor(200), vendor(200)];
  const result = await executeChat(chat, [target("d1", first.url), target("d2", second.url)], testExecuteOptions({ recheck: recheck(["d1", "d2"]) }));
  expect(first.calls() + second.calls()).toBe(0);
  expect(result).toMatchObject({ ok: false, clientClosed: false, error: FORBIDDEN });
  expect(result.trail).toMatchObject({ attempts: 0, deployment: null });
});

test("a refused deployment that was granted the half-open probe gives the slot back", async () => {
  const answering = vendor(200);
  const breaker = createMemoryBreaker({ failureThreshold: 1, coolDownMs: 50 });
  breaker.onFailure("d1");
  await Bun.sleep(70);
  await executeChat(chat, [target("d1", answering.url)], testExecuteOptions({ health: breaker, recheck: recheck(["d1"]) }));
  expect(answering.calls()).toBe(0);
  expect(breaker.canAttempt("d1")).toBe("probe");
});

test("a request the recheck refuses itself (its key) ends the walk at once with that answer, over the failed call's", async () => {
  const [first, second, third] = [vendor(503), vendor(200), vendor(200)];
  const guard = recheck(["d1", "d2", "d3"], 1, { kind: "invalid_api_key" });
  const result = await executeChat(chat, [target("d1", first.url), target("d2", second.url), target("d3", third.url)], testExecuteOptions({ recheck: guard }));
  expect({ first: first.calls(), second: second.calls(), third: third.calls() }).toEqual({ first: 1, second: 0, third: 0 });
  expect(result).toMatchObject({ ok: false, clientClosed: false, error: { kind: "invalid_api_key" } });
  // d1's retry is refused, and no later deployment is even asked about.
  expect(result.trail.steps.map((s) => [s.deploymentId, s.outcome, s.reason])).toEqual([
    ["d1", "error", "status_503"],
    ["d1", "skipped", "key_refused"],
  ]);
  expect(guard.asked).toEqual(["d1", "d1"]);
});
