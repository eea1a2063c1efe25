/**
 * The chain walk's edges, one executor call at a time against small local vendors: a probe that ends
 * without a verdict gives its slot back, an answer the request was at fault for counts as the
 * deployment being up, a client that leaves while the breaker is asked stops the call, a skipped
 * deployment never becomes the one the trail names, and a timeout is retried like other transient
 * failures.
 */
import { afterEach, expect, test } from "bun:test";
import type { SnapshotDeployment } from "../../shared/snapshot/schema.ts";
import { createMemoryBreaker } from "../breaker/memory-breaker.ts";
import { errorResponse } from "../openai/error-response.ts";
import type { DeploymentHealth } from "./deployment-health.ts";
import { executeChat, type ExecuteOptions } from "./execute.ts";
import { azureAdapter } from "./azure/adapter.ts";
import { geminiAdapter } from "./gemini/adapter.ts";
import { openaiAdapter } from "./openai/adapter.ts";
import type { ChatRequest } from "./types.ts";
import { testExecuteOptions } from "../testing/execute-options.ts";

const servers: ReturnType<typeof Bun.serve>[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.stop(true);
});
/** A vendor whose answer `handle` decides per call. */
function vendor(handle: (call: number, request: Request) => Response | Promise<Response>): string {
  let calls = 0;
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", development: false, fetch: (request) => handle(++calls, request) });
  servers.push(server);
  return `http://127.0.0.1:${server.port}`;
}

const completion = { id: "x", object: "chat.completion", created: 1, model: "m1", choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } };
/** A whole OpenAI stream: one chunk and [DONE]. */
const streamAnswer = () =>
  new Response(`data: ${JSON.stringify({ id: "x", object: "chat.completion.chunk", created: 1, model: "m1", choices: [{ index: 0, delta: { role: "assistant", content: "ok" }, finish_reason: null }] })}\n\ndata: [DONE]\n\n`, { headers: { "content-type": "text/event-stream" } });
const messages = [{ role: "user", content: "hi" }];
const chat = (extra: Record<string, unknown> = {}) => ({ model: "m", messages, stream: false, includeUsage: false, raw: { model: "m", messages, ...extra }, ...extra }) as unknown as ChatRequest;
const target = (id: string, url: string, provider: "openai" | "gemini" = "openai") => ({
  deployment: { id, provider, baseUrl: provider === "openai" ? `${url}/v1` : url, model: `${id}-model`, region: "eu", credentialRef: "env:K" } as SnapshotDeployment,
  adapter: provider === "openai" ? openaiAdapter : geminiAdapter,
});
const options = (extra: Partial<ExecuteOptions> = {}): ExecuteOptions => testExecuteOptions(extra);
/** A breaker with the deployment opened by one failure and already cooled down: the next grant is the probe. */
async function halfOpen(depId: string) {
  const breaker = createMemoryBreaker({ failureThreshold: 1, coolDownMs: 100 });
  breaker.onFailure(depId);
  await Bun.sleep(120);
  return breaker;
}

test("a probe whose client left gives the half-open slot back: the next request probes at once", async () => {
  let hang = true;
  const url = vendor(async () => {
    if (hang) await Bun.sleep(2_000);
    return Response.json(completion);
  });
  const breaker = await halfOpen("d1");
  const client = new AbortController();
  setTimeout(() => client.abort(), 50);
  const probe = await executeChat(chat(), [target("d1", url)], options({ health: breaker, clientSignal: client.signal }));
  expect(probe).toMatchObject({ ok: false, clientClosed: true });
  hang = false;
  const next = await executeChat(chat(), [target("d1", url)], options({ health: breaker }));
  expect(next.ok).toBe(true);
});

test("a probe answered with a 400 (the request's fault) closes the breaker: the deployment is up", async () => {
  const url = vendor((call) => (call === 1 ? Response.json({ error: { message: "bad request", type: "invalid_request_error", param: null, code: null } }, { status: 400 }) : Response.json(completion)));
  const breaker = await halfOpen("d1");
  const refused = await executeChat(chat(), [target("d1", url)], options({ health: breaker }));
  expect(refused.ok).toBe(false);
  expect(breaker.canAttempt("d1")).toBe(true);
  expect((await executeChat(chat(), [target("d1", url)], options({ health: breaker }))).ok).toBe(true);
});

test("a client that leaves while an asynchronous breaker answers: no vendor call runs on, the walk ends client_closed", async () => {
  let vendorCalls = 0;
  const url = vendor(async (call) => {
    vendorCalls = call;
    await Bun.sleep(400);
    return Response.json(completion);
  });
  const slowBreaker: DeploymentHealth = { canAttempt: () => Bun.sleep(50).then(() => true), onSuccess: () => {}, onFailure: () => {} };
  const client = new AbortController();
  setTimeout(() => client.abort(), 10);
  const result = await executeChat(chat(), [target("d1", url)], options({ health: slowBreaker, clientSignal: client.signal }));
  expect(result).toMatchObject({ ok: false, clientClosed: true });
  expect(result.trail.attempts).toBe(0);
  expect(vendorCalls).toBe(0); // never called at all
});

test("a deployment skipped for an unsupported parameter is not the one the trail names", async () => {
  const url = vendor(() => new Response("{}", { status: 503 }));
  const result = await executeChat(chat({ logprobs: true }), [target("d_openai", url), target("d_gemini", url, "gemini")], options());
  expect(result.ok).toBe(false);
  expect(result.trail).toMatchObject({ attempts: 2, fallback: false });
  expect(result.trail.deployment?.id).toBe("d_openai");
  expect(result.trail.steps.map((s) => `${s.deploymentId}:${s.outcome}`)).toEqual(["d_openai:error", "d_openai:error", "d_gemini:skipped"]);
});

test("a deployment that cannot honour a parameter is skipped without a call, after an open circuit too", async () => {
  const url = vendor(() => Response.json(completion));
  const breaker = createMemoryBreaker({ failureThreshold: 1, coolDownMs: 60_000 });
  breaker.onFailure("d_open");
  const result = await executeChat(chat({ logprobs: true }), [target("d_open", url), target("d_gemini", url, "gemini"), target("d_openai", url)], options({ health: breaker }));
  expect(result.ok).toBe(true);
  expect(result.trail.steps.map((s) => `${s.deploymentId}:${s.outcome}:${s.reason}`)).toEqual(["d_open:skipped:circuit_open", "d_gemini:skipped:unsupported_parameter:logprobs", "d_openai:ok:null"]);
});

test("a first-byte timeout is transient: the same deployment is tried once more before falling back", async () => {
  const url = vendor(async (call) => {
    if (call === 1) await Bun.sleep(1_000);
    return streamAnswer();
  });
  // A stream: a non-streamed answer has no first-byte timeout (first-byte-timeout.test.ts).
  const result = await executeChat(chat({ stream: true }), [target("d1", url)], options({ firstByteMs: 150 }));
  expect(result.ok).toBe(true);
  expect(result.trail.steps.map((s) => s.reason)).toEqual(["timeout_first_byte", null]);
});

test("a vendor's 400 that quotes the gateway's credential reaches the caller with the credential cut out", async () => {
  const url = vendor((_call, request) =>
    Response.json({ error: { message: `Invalid value for 'temperature' (request sent with ${request.headers.get("authorization")})`, type: "invalid_request_error", param: "temperature", code: null } }, { status: 400 }),
  );
  const result = await executeChat(chat(), [target("d1", url)], options());
  expect(result.ok).toBe(false);
  const message = JSON.stringify(!result.ok && result.error);
  expect(message).toContain("Invalid value for 'temperature'");
  expect(message).toContain("Bearer [redacted]");
  expect(message).not.toContain("sk-test");
});

test("a vendor that sends an error's headers and then nothing is judged by its status at the first-byte time, not the deadline", async () => {
  const url = vendor((call) => (call === 1 ? new Response(new ReadableStream({ start: (c) => c.enqueue(new TextEncoder().encode("{")) }), { status: 503 }) : streamAnswer()));
  const started = Date.now();
  const result = await executeChat(chat({ stream: true }), [target("d1", url)], options({ firstByteMs: 150 }));
  expect(result.ok).toBe(true);
  // The first call ended at the first-byte time (the deadline is 10 s away), as the 503 it said it was
  // (read-error-body.ts): no timeout, so not a call left unanswered.
  expect(Date.now() - started).toBeLessThan(5_000);
  expect(result.trail.steps.map((s) => s.reason)).toEqual(["status_503", null]);
  expect(result.trail.unansweredCalls).toBeUndefined();
});

test("an answer does not wait for the breaker to record its success (a Redis round trip before every first byte)", async () => {
  const url = vendor(() => Response.json(completion));
  let successes = 0;
  const neverConfirms: DeploymentHealth = {
    canAttempt: () => true,
    onSuccess: () => {
      successes++;
      return new Promise<void>(() => {});
    },
    onFailure: () => {},
  };
  const waited = Symbol("still waiting");
  const result = await Promise.race([executeChat(chat(), [target("d1", url)], options({ health: neverConfirms })), Bun.sleep(2_000).then(() => waited)]);
  expect(result).not.toBe(waited);
  expect((result as Awaited<ReturnType<typeof executeChat>>).ok).toBe(true);
  expect(successes).toBe(1);
});

const rateLimited = (headers: Record<string, string>) => Response.json({ error: { message: "Rate limit reached", type: "requests", param: null, code: "rate_limit_exceeded" } }, { status: 429, headers });

test("a vendor's long Retry-After is not slept while another deployment is planned: the next one answers at once", async () => {
  let limitedCalls = 0;
  const limited = vendor(() => {
    limitedCalls++;
    return rateLimited({ "retry-after": "8" });
  });
  const healthy = vendor(() => Response.json(completion));
  const started = Date.now();
  const result = await executeChat(chat(), [target("d_limited", limited), target("d_healthy", healthy)], options({ totalMs: 120_000 }));
  expect(result.ok).toBe(true);
  expect(Date.now() - started).toBeLessThan(5_000); // not the 8 s asked for
  expect(limitedCalls).toBe(1);
  expect(result.trail.steps.map((s) => `${s.deploymentId}:${s.outcome}:${s.reason}`)).toEqual(["d_limited:error:status_429", "d_limited:skipped:retry_after_too_long", "d_healthy:ok:null"]);
});

test("a long Retry-After is waited for after all when no later deployment can be called (its circuit open, a parameter it refuses)", async () => {
  const limited = vendor((call) => (call === 1 ? rateLimited({ "retry-after-ms": "1200" }) : Response.json(completion)));
  let otherCalls = 0;
  const other = vendor(() => {
    otherCalls++;
    return Response.json(completion);
  });
  const breaker = createMemoryBreaker({ failureThreshold: 1, coolDownMs: 60_000 });
  breaker.onFailure("d_open");
  const result = await executeChat(chat({ logprobs: true }), [target("d_limited", limited), target("d_open", other), target("d_gemini", other, "gemini")], options({ health: breaker }));
  expect(result.ok).toBe(true);
  expect(result.trail).toMatchObject({ attempts: 2, fallback: false });
  expect(result.trail.steps.map((s) => `${s.deploymentId}:${s.outcome}:${s.reason}`)).toEqual([
    "d_limited:error:status_429",
    "d_limited:skipped:retry_after_too_long",
    "d_open:skipped:circuit_open",
    "d_gemini:skipped:unsupported_parameter:logprobs",
    "d_limited:ok:null",
  ]);
  expect(otherCalls).toBe(0);
});

test("coming back to a long Retry-After that fails again ends the walk there: the deployments passed over are not asked twice", async () => {
  const limited = vendor(() => rateLimited({ "retry-after-ms": "1200" }));
  let otherCalls = 0;
  const other = vendor(() => {
    otherCalls++;
    return Response.json(completion);
  });
  const breaker = createMemoryBreaker({ failureThreshold: 1, coolDownMs: 60_000 });
  breaker.onFailure("d_open");
  let asked = 0;
  const counting = { ...breaker, canAttempt: (id: string) => (id === "d_open" && asked++, breaker.canAttempt(id)) };
  const result = await executeChat(chat(), [target("d_limited", limited), target("d_open", other)], options({ health: counting }));
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.error.kind).toBe("upstream_rate_limited");
  expect(result.trail.steps.map((s) => `${s.deploymentId}:${s.outcome}:${s.reason}`)).toEqual([
    "d_limited:error:status_429",
    "d_limited:skipped:retry_after_too_long",
    "d_open:skipped:circuit_open",
    "d_limited:error:status_429",
  ]);
  expect(asked).toBe(1);
  expect(otherCalls).toBe(0);
});

test("a short Retry-After is still waited for before the same deployment is retried, with a fallback planned", async () => {
  let healthyCalls = 0;
  const limited = vendor((call) => (call === 1 ? rateLimited({ "retry-after-ms": "50" }) : Response.json(completion)));
  const healthy = vendor(() => {
    healthyCalls++;
    return Response.json(completion);
  });
  const result = await executeChat(chat(), [target("d_limited", limited), target("d_healthy", healthy)], options());
  expect(result.ok).toBe(true);
  expect(result.trail.steps.map((s) => `${s.deploymentId}:${s.reason}`)).toEqual(["d_limited:status_429", "d_limited:null"]);
  expect(healthyCalls).toBe(0);
});

test("on the last planned deployment a Retry-After that fits the deadline is waited for, however long", async () => {
  const limited = vendor((call) => (call === 1 ? rateLimited({ "retry-after-ms": "1500" }) : Response.json(completion)));
  const started = Date.now();
  const result = await executeChat(chat(), [target("d_limited", limited)], options());
  expect(result.ok).toBe(true);
  expect(Date.now() - started).toBeGreaterThanOrEqual(1_500);
  expect(result.trail.steps.map((s) => s.reason)).toEqual(["status_429", null]);
});

test("a vendor's 429s do not open the breaker: every request gets the vendor's 429 with its Retry-After, and the vendor is asked each time", async () => {
  let calls = 0;
  const limited = vendor(() => {
    calls++;
    return rateLimited({ "retry-after-ms": "10" });
  });
  const breaker = createMemoryBreaker({ failureThreshold: 3, coolDownMs: 30_000 });
  for (let i = 0; i < 4; i++) {
    const result = await executeChat(chat(), [target("d1", limited)], options({ health: breaker }));
    expect(result.ok).toBe(false);
    const answer = errorResponse(!result.ok ? result.error : { kind: "internal_error" }, "req_test");
    expect(answer.status).toBe(429);
    expect(answer.headers.get("retry-after-ms")).toBe("10");
    expect(answer.headers.get("retry-after")).toBe("1");
  }
  expect(calls).toBe(8); // each request tried and retried once
  expect(breaker.canAttempt("d1")).toBe(true);
});

test("a half-open probe answered with a 429 gives its slot back: the deployment is pacing, not down", async () => {
  const limited = vendor(() => rateLimited({ "retry-after": "30" }));
  const breaker = await halfOpen("d1");
  const result = await executeChat(chat(), [target("d1", limited)], options({ health: breaker }));
  expect(result.ok).toBe(false);
  expect(breaker.canAttempt("d1")).toBe("probe");
});

test("every deployment skipped for an open circuit: 503 with a Retry-After of the earliest end of a cool-down", async () => {
  let calls = 0;
  const url = vendor(() => {
    calls++;
    return Response.json(completion);
  });
  const breaker = createMemoryBreaker({ failureThreshold: 1, coolDownMs: 30_000 });
  breaker.onFailure("d_late", Date.now() - 10_000); // 20 s left
  breaker.onFailure("d_soon", Date.now() - 25_500); // 4.5 s left
  const result = await executeChat(chat(), [target("d_late", url), target("d_soon", url)], options({ health: breaker }));
  expect(result.ok).toBe(false);
  expect(result.trail.attempts).toBe(0);
  const answer = errorResponse(!result.ok ? result.error : { kind: "internal_error" }, "req_test");
  expect(answer.status).toBe(503);
  expect(answer.headers.get("retry-after")).toBe("5");
  expect((await answer.json()).error).toMatchObject({ type: "server_error", code: "upstream_unavailable" });
  expect(calls).toBe(0);
});

/** A breaker that skips every deployment named in `open` (its circuit open) and lets the others be called. */
const circuitsOpen = (...open: string[]) => ({ canAttempt: (id: string) => !open.includes(id), onSuccess: () => {}, onFailure: () => {}, coolDownLeftMs: (id: string) => (open.includes(id) ? 60_000 : 0) });
const overloaded = () => Response.json({ error: { message: "overloaded", type: "server_error" } }, { status: 503 });

test("retries never starve the fallbacks: with two deployments answering 503 and a healthy third, the third answers", async () => {
  const down = () => vendor(overloaded);
  const [first, second] = [down(), down()];
  const healthy = vendor(() => Response.json(completion));
  const result = await executeChat(chat(), [target("d1", first), target("d2", second), target("d3", healthy)], options({ backoff: { baseMs: 1, capMs: 1 } }));
  expect(result.ok).toBe(true);
  // The budget of 4 keeps one attempt for each deployment still planned: d1 is retried with the spare one.
  expect(result.trail.steps.map((s) => `${s.deploymentId}:${s.outcome}`)).toEqual(["d1:error", "d1:error", "d2:error", "d3:ok"]);
  expect(result.trail.attempts).toBe(4);
});

test("a deployment is still retried when the chain has attempts to spare for every later one", async () => {
  const flaky = vendor((call) => (call === 1 ? overloaded() : Response.json(completion)));
  const unused = vendor(() => Response.json(completion));
  const result = await executeChat(chat(), [target("d1", flaky), target("d2", unused)], options({ backoff: { baseMs: 1, capMs: 1 } }));
  expect(result.ok).toBe(true);
  expect(result.trail.steps.map((s) => `${s.deploymentId}:${s.outcome}`)).toEqual(["d1:error", "d1:ok"]);
  expect(result.trail.fallback).toBe(false);
});

test("every 2xx answer the gateway refused stays on the trail, in order, with its deployment and reported usage; a walk without one has none", async () => {
  const withUsage = (prompt: number) => ({ ...completion, choices: [{ index: 0, finish_reason: "stop" }], usage: { prompt_tokens: prompt, completion_tokens: 1, total_tokens: prompt + 1 } });
  // d1 refuses (usage 11), then refuses without usage; d2 refuses (usage 33), then answers.
  const first = vendor((call) => Response.json(call === 1 ? withUsage(11) : { ...completion, choices: [{ index: 0, finish_reason: "stop" }], usage: undefined }));
  const second = vendor((call) => Response.json(call === 1 ? withUsage(33) : completion));
  const result = await executeChat(chat(), [target("d1", first), target("d2", second)], options({ maxAttempts: 5 }));
  expect(result.ok).toBe(true);
  expect(result.trail.steps.map((s) => `${s.deploymentId}:${s.outcome}`)).toEqual(["d1:error", "d1:error", "d2:error", "d2:ok"]);
  expect(result.trail.refusedCalls!.map((c) => [c.deployment.id, c.reportedUsage?.inputTokens ?? null])).toEqual([["d1", 11], ["d1", null], ["d2", 33]]);

  const clean = await executeChat(chat(), [target("d3", vendor(() => Response.json(completion)))], options());
  expect(clean.ok).toBe(true);
  expect(clean.trail.refusedCalls).toBeUndefined();
  const errorAnswer = await executeChat(chat(), [target("d4", vendor(() => new Response("<html>", { status: 500 })))], options());
  expect(errorAnswer.trail.refusedCalls).toBeUndefined();
});

test("every call left without an answer (timed out, the client gone) stays on the trail with its deployment, the last or not; an answered walk without one has none", async () => {
  const slowOnce = () =>
    vendor(async (call) => {
      if (call === 1) await Bun.sleep(1_000);
      return streamAnswer();
    });
  // d1 times out (its retry owed), d2 times out and is retried at once (the last planned), and answers.
  const result = await executeChat(chat({ stream: true }), [target("d1", slowOnce()), target("d2", slowOnce())], options({ firstByteMs: 150, backoff: { baseMs: 1, capMs: 1 } }));
  expect(result.ok).toBe(true);
  expect(result.trail.steps.map((s) => `${s.deploymentId}:${s.reason}`)).toEqual(["d1:timeout_first_byte", "d2:timeout_first_byte", "d2:null"]);
  expect(result.trail.unansweredCalls!.map((c) => c.deployment.id)).toEqual(["d1", "d2"]);

  const client = new AbortController();
  setTimeout(() => client.abort(), 50);
  const left = await executeChat(chat({ stream: true }), [target("d4", vendor(async () => (await Bun.sleep(1_000), streamAnswer())))], options({ clientSignal: client.signal }));
  expect(left).toMatchObject({ ok: false, clientClosed: true });
  expect(left.trail.unansweredCalls!.map((c) => c.deployment.id)).toEqual(["d4"]);

  const clean = await executeChat(chat({ stream: true }), [target("d5", vendor((call) => (call === 1 ? overloaded() : streamAnswer())))], options({ backoff: { baseMs: 1, capMs: 1 } }));
  expect(clean.ok).toBe(true);
  expect(clean.trail.unansweredCalls).toBeUndefined();
});

test("a refusal its vendor bills for the prompt (Azure's content filter, as a 400 or an error event before the stream's first chunk) is on the trail as a call left unanswered; another 400 is not", async () => {
  const filtered = { error: { message: "The response was filtered", type: null, param: "prompt", code: "content_filter", status: 400 } };
  const azure = (id: string, url: string) => ({ deployment: { id, provider: "azure", baseUrl: url, model: `${id}-model`, region: "eu", credentialRef: "env:K" } as SnapshotDeployment, adapter: azureAdapter });
  const http = await executeChat(chat(), [azure("a1", vendor(() => Response.json(filtered, { status: 400 })))], options());
  expect(http).toMatchObject({ ok: false, error: { kind: "vendor_rejected", code: "content_filter" } });
  expect(http.trail.unansweredCalls).toEqual([{ deployment: http.trail.deployment!, reportedUsage: null }]);
  const event = () => new Response(`data: ${JSON.stringify(filtered)}\n\ndata: [DONE]\n\n`, { headers: { "content-type": "text/event-stream" } });
  const inStream = await executeChat(chat({ stream: true }), [azure("a2", vendor(event))], options());
  expect(inStream).toMatchObject({ ok: false, error: { kind: "vendor_rejected", code: "content_filter" } });
  expect(inStream.trail.unansweredCalls!.map((c) => c.deployment.id)).toEqual(["a2"]);
  const other = await executeChat(chat(), [target("o1", vendor(() => Response.json({ error: { message: "bad", type: "invalid_request_error", param: null, code: "content_filter" } }, { status: 400 })))], options());
  expect(other.ok).toBe(false);
  expect(other.trail.unansweredCalls).toBeUndefined();
});


test("a retry kept back for later deployments is taken after all when none of them could be called", async () => {
  const flaky = vendor((call) => (call === 1 ? overloaded() : Response.json(completion)));
  const never = vendor(() => Response.json(completion));
  const result = await executeChat(chat(), [target("d1", flaky), target("d2", never), target("d3", never), target("d4", never)], options({ health: circuitsOpen("d2", "d3", "d4") }));
  expect(result.ok).toBe(true);
  expect(result.trail.steps.map((s) => `${s.deploymentId}:${s.outcome}:${s.reason}`)).toEqual(["d1:error:status_503", "d2:skipped:circuit_open", "d3:skipped:circuit_open", "d4:skipped:circuit_open", "d1:ok:null"]);
  expect(result.trail.attempts).toBe(2);
});

test("a long Retry-After with no attempt to spare is still waited for when no later deployment could be called", async () => {
  const paced = vendor((call) => (call === 1 ? rateLimited({ "retry-after-ms": "1200" }) : Response.json(completion)));
  const never = vendor(() => Response.json(completion));
  const started = Date.now();
  const result = await executeChat(chat(), [target("d1", paced), target("d2", never), target("d3", never), target("d4", never)], options({ health: circuitsOpen("d2", "d3", "d4") }));
  expect(result.ok).toBe(true);
  expect(Date.now() - started).toBeGreaterThanOrEqual(1_200);
  expect(result.trail.steps.map((s) => `${s.deploymentId}:${s.outcome}`)).toEqual(["d1:error", "d1:skipped", "d2:skipped", "d3:skipped", "d4:skipped", "d1:ok"]);
});

test("retries kept back are taken in chain order while the budget lasts", async () => {
  const flakyA = vendor((call) => (call === 1 ? overloaded() : Response.json(completion)));
  const downB = vendor(() => overloaded());
  const never = vendor(() => Response.json(completion));
  // d1 and d2 each keep their retry back for the three after them; d3 and d4 cannot be called.
  const result = await executeChat(chat(), [target("d1", downB), target("d2", flakyA), target("d3", never), target("d4", never)], options({ health: circuitsOpen("d3", "d4") }));
  expect(result.ok).toBe(true);
  expect(result.trail.steps.filter((s) => s.outcome !== "skipped").map((s) => `${s.deploymentId}:${s.outcome}`)).toEqual(["d1:error", "d2:error", "d1:error", "d2:ok"]);
  expect(result.trail.attempts).toBe(4);
});

test("a failure that opens its deployment's circuit is not retried after its Retry-After: the breaker would refuse the retry, so the walk goes on at once", async () => {
  const unavailable = () => Response.json({ error: { message: "overloaded", type: "server_error" } }, { status: 503, headers: { "retry-after": "3" } });
  let downCalls = 0;
  const down = vendor(() => {
    downCalls++;
    return unavailable();
  });
  // The third consecutive failure opens the circuit: two earlier requests already failed there.
  const breaker = createMemoryBreaker({ failureThreshold: 3, coolDownMs: 30_000 });
  breaker.onFailure("d_down");
  breaker.onFailure("d_down");
  const started = Date.now();
  const alone = await executeChat(chat(), [target("d_down", down)], options({ health: breaker }));
  expect(alone.ok).toBe(false);
  // Neither slept for (3 s) nor tried again: the circuit opened by this failure would refuse the retry.
  expect(Date.now() - started).toBeLessThan(2_000);
  expect(downCalls).toBe(1);
  expect(alone.trail.steps.map((s) => `${s.deploymentId}:${s.outcome}:${s.reason}`)).toEqual(["d_down:error:status_503", "d_down:skipped:circuit_open"]);

  // With a fallback planned, the retry is not owed either: the walk ends at the fallback's answer.
  const breaker2 = createMemoryBreaker({ failureThreshold: 1, coolDownMs: 30_000 });
  const healthy = vendor(() => Response.json(completion));
  const fell = await executeChat(chat(), [target("d_down", down), target("d_ok", healthy)], options({ health: breaker2 }));
  expect(fell.ok).toBe(true);
  expect(fell.trail.steps.map((s) => `${s.deploymentId}:${s.outcome}`)).toEqual(["d_down:error", "d_down:skipped", "d_ok:ok"]);
});

test("a failure that leaves the circuit closed is still retried after its Retry-After", async () => {
  const flaky = vendor((call) => (call === 1 ? Response.json({ error: { message: "overloaded", type: "server_error" } }, { status: 503, headers: { "retry-after-ms": "50" } }) : Response.json(completion)));
  const breaker = createMemoryBreaker({ failureThreshold: 3, coolDownMs: 30_000 });
  const result = await executeChat(chat(), [target("d_flaky", flaky)], options({ health: breaker }));
  expect(result.ok).toBe(true);
  expect(result.trail.steps.map((s) => `${s.deploymentId}:${s.outcome}`)).toEqual(["d_flaky:error", "d_flaky:ok"]);
});

test("a deployment whose vendor refuses the gateway's credential is not retried, but the chain falls back: the next deployment has its own key", async () => {
  let refusedCalls = 0;
  const refusing = vendor(() => {
    refusedCalls++;
    return Response.json({ error: { message: "Incorrect API key provided", type: "invalid_request_error", code: "invalid_api_key" } }, { status: 401 });
  });
  const healthy = vendor(() => Response.json(completion));
  const result = await executeChat(chat(), [target("d_rotated", refusing), target("d_ok", healthy)], options());
  expect(result.ok).toBe(true);
  expect(refusedCalls).toBe(1);
  expect(result.trail.steps.map((s) => `${s.deploymentId}:${s.outcome}:${s.reason}`)).toEqual(["d_rotated:error:credential_rejected", "d_ok:ok:null"]);

  // Alone, it is the gateway's credential problem: a 502 without the vendor's words.
  const alone = await executeChat(chat(), [target("d_rotated", refusing)], options());
  expect(alone.ok).toBe(false);
  if (!alone.ok) expect(alone.error).toMatchObject({ kind: "upstream_error" });
  expect(refusedCalls).toBe(2);
});

test("a chain with one deployment behind an open circuit and one without its credential: the 503 with the cool-down's Retry-After, not 'misconfigured' (the first comes back by itself)", async () => {
  const never = vendor(() => Response.json(completion));
  const resolveCredential = (ref: string) => (ref === "env:MISSING" ? ({ ok: false } as const) : ({ ok: true, credential: "sk-test" } as const));
  const missing = { ...target("d_nocred", never), deployment: { ...target("d_nocred", never).deployment, credentialRef: "env:MISSING" } };
  const result = await executeChat(chat(), [target("d_open", never), missing], options({ health: circuitsOpen("d_open"), resolveCredential: resolveCredential as ExecuteOptions["resolveCredential"] }));
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.error).toMatchObject({ kind: "upstream_unavailable", retryAfterSeconds: 60 });
  expect(result.trail.steps.map((s) => `${s.deploymentId}:${s.outcome}:${s.reason}`)).toEqual(["d_open:skipped:circuit_open", "d_nocred:skipped:credential_missing"]);

  // Alone, the missing credential is the answer: the provider is misconfigured.
  const alone = await executeChat(chat(), [missing], options({ resolveCredential: resolveCredential as ExecuteOptions["resolveCredential"] }));
  expect(alone.ok).toBe(false);
  if (!alone.ok) expect(alone.error).toMatchObject({ kind: "upstream_error", message: "The model provider is misconfigured." });
});
