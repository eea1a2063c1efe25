/**
 * A Retry-After just under the time left is slept through, and the retry then gets only what is
 * left of the deadline (a few hundred ms). A deployment that takes longer than that to answer (any
 * non-streamed LLM answer) times out: the caller gets a 504 instead of the vendor's 429 with its
 * Retry-After, the breaker is told a failure (a rate-limited deployment opens its circuit, which the
 * walk says a 429 must never do), and the timed-out call is charged as unanswered.
 */
import { afterEach, expect, test } from "bun:test";
import type { SnapshotDeployment } from "../../shared/snapshot/schema.ts";
import { createMemoryBreaker } from "../breaker/memory-breaker.ts";
import { errorResponse } from "../openai/error-response.ts";
import { executeChat } from "./execute.ts";
import { openaiAdapter } from "./openai/adapter.ts";
import type { ChatRequest } from "./types.ts";
import { testExecuteOptions } from "../testing/execute-options.ts";

const servers: ReturnType<typeof Bun.serve>[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.stop(true);
});
const completion = { id: "x", object: "chat.completion", created: 1, model: "m1", choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } };
const messages = [{ role: "user", content: "hi" }];
const chat = () => ({ model: "m", messages, stream: false, includeUsage: false, raw: { model: "m", messages } }) as unknown as ChatRequest;

test("a 429 whose Retry-After leaves too little of the deadline for a call is answered as a 429 with that wait, not a 504 that counts against the breaker", async () => {
  let calls = 0;
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    development: false,
    async fetch() {
      calls++;
      if (calls % 2 === 1) return Response.json({ error: { message: "Rate limit reached", type: "tokens", param: null, code: "rate_limit_exceeded" } }, { status: 429, headers: { "retry-after-ms": "1800" } });
      await Bun.sleep(600); // a normal answer takes 600 ms
      return Response.json(completion);
    },
  });
  servers.push(server);
  const target = { deployment: { id: "d1", provider: "openai", baseUrl: `http://127.0.0.1:${server.port}/v1`, model: "m1", region: "eu", credentialRef: "env:K" } as SnapshotDeployment, adapter: openaiAdapter };
  const breaker = createMemoryBreaker({ failureThreshold: 1, coolDownMs: 30_000 });
  // The deployment's total (and so the request's deadline) is 2 s.
  const result = await executeChat(chat(), [target], testExecuteOptions({ totalMs: 2_000, health: breaker }));
  const summary = result.ok ? "ok" : `${result.error.kind} / ${result.trail.steps.map((s) => s.reason).join(",")}`;
  // Either the walk answers (enough time) or it tells the vendor's 429 with its Retry-After; never a
  // timeout it caused itself by sleeping away the deadline.
  expect(summary).toMatch(/^(ok|upstream_rate_limited)/);
  if (!result.ok) {
    // Told as the vendor's 429, with its wait.
    const answer = errorResponse(result.error, "req_test");
    expect({ status: answer.status, wait: answer.headers.get("retry-after-ms") }).toEqual({ status: 429, wait: "1800" });
    expect(result.trail.steps.map((s) => s.reason)).toEqual(["status_429", "retry_after_exceeds_budget"]);
  }
  // A vendor that only paced us never opens its circuit.
  expect(breaker.canAttempt("d1")).toBe(true);
});

/** An OpenAI deployment with its own total. */
const timed = (id: string, port: number, totalMs: number) => ({
  deployment: { id, provider: "openai", baseUrl: `http://127.0.0.1:${port}/v1`, model: `${id}-model`, region: "eu", credentialRef: "env:K", timeouts: { totalMs } } as SnapshotDeployment,
  adapter: openaiAdapter,
});
const serve = (fetch: (call: number) => Promise<Response>) => {
  let calls = 0;
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", development: false, fetch: () => fetch(++calls) });
  servers.push(server);
  return { port: server.port! };
};

test("a retry the walk comes back to (owed) is skipped when too little of the deadline is left for a call, not cut by it", async () => {
  // d1 (total 1 s) hangs: it times out and its retry is owed while d2 is planned. d2 (total 1.5 s) answers
  // 503 after 1.3 s, leaving ~200 ms of the 2.5 s deadline: less than a useful call to either.
  const hung = serve(async () => {
    await Bun.sleep(5_000);
    return Response.json(completion);
  });
  let slowCalls = 0;
  const slow = serve(async () => {
    slowCalls++;
    await Bun.sleep(1_300);
    return Response.json({ error: { message: "overloaded", type: "server_error", param: null, code: null } }, { status: 503 });
  });
  const result = await executeChat(chat(), [timed("d1", hung.port, 1_000), timed("d2", slow.port, 1_500)], testExecuteOptions());
  expect(result.trail.steps.map((s) => `${s.deploymentId}:${s.outcome}:${s.reason}`)).toEqual(["d1:error:timeout_total", "d2:error:status_503", "d2:skipped:retry_exceeds_budget", "d1:skipped:retry_exceeds_budget"]);
  expect(slowCalls).toBe(1);
  // Only the call that ran out of its own time was left unanswered.
  expect(result.trail.unansweredCalls?.map((c) => c.deployment.id)).toEqual(["d1"]);
});

test("a call cut by the request's deadline before its own total says nothing of the deployment: the breaker is not told", async () => {
  // d1's total is 3 s, the request's deadline too: its first call answers 503 after 2 s, its retry (~1 s
  // left, enough for a quarter of its total) is cut by the request's deadline, not by its own total.
  const server = serve(async (call) => {
    if (call === 1) {
      await Bun.sleep(2_000);
      return Response.json({ error: { message: "overloaded", type: "server_error", param: null, code: null } }, { status: 503 });
    }
    await Bun.sleep(5_000);
    return Response.json(completion);
  });
  const breaker = createMemoryBreaker({ failureThreshold: 2, coolDownMs: 30_000 });
  const result = await executeChat(chat(), [timed("d1", server.port, 3_000)], testExecuteOptions({ health: breaker }));
  expect(result.trail.steps.map((s) => s.reason)).toEqual(["status_503", "timeout_total"]);
  // One failure (the 503) of the two that would open it.
  expect(breaker.canAttempt("d1")).toBe(true);
});
