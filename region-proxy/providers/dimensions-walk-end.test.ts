/**
 * How a walk that met a deployment ignoring `dimensions` ends: the 400 naming `dimensions` says no
 * deployment gives the size, so it is the answer only when every deployment called or considered
 * answered that way. One that failed for a moment (5xx, 429, a connection error), was skipped for its
 * open circuit or its missing credential might have given the size: its failure is the answer, so the
 * caller's SDK retries instead of being told its request is wrong. Billing, the trail and the breaker
 * are as for any such walk.
 */
import { afterEach, expect, test } from "bun:test";
import type { SnapshotDeployment } from "../../shared/snapshot/schema.ts";
import { createMemoryBreaker } from "../breaker/memory-breaker.ts";
import { testExecuteOptions } from "../testing/execute-options.ts";
import { executeEmbeddings } from "./execute-embeddings.ts";
import { geminiAdapter } from "./gemini/adapter.ts";
import { openaiAdapter } from "./openai/adapter.ts";
import type { EmbeddingsRequest } from "./types.ts";
import { closedUrl } from "../../test/support/ports.ts";

const servers: ReturnType<typeof Bun.serve>[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.stop(true);
});

/** An OpenAI-format embeddings server: 2 dimensions whatever is asked (`ignores`), the size asked (`honours`), or an error status. */
function embeddingsServer(mode: "ignores" | "honours" | 503 | 429): { url: string; calls: () => number } {
  let calls = 0;
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    development: false,
    async fetch(request) {
      calls++;
      if (mode === 503) return Response.json({ error: { message: "overloaded", type: "server_error" } }, { status: 503 });
      if (mode === 429) return Response.json({ error: { message: "slow down", type: "requests" } }, { status: 429, headers: { "retry-after-ms": "1" } });
      const { dimensions } = (await request.json()) as { dimensions?: number };
      const embedding = Array.from({ length: mode === "honours" && dimensions !== undefined ? dimensions : 2 }, (_, d) => (d === 0 ? 1 : 0));
      return Response.json({ object: "list", data: [{ object: "embedding", index: 0, embedding }], model: "m", usage: { prompt_tokens: 5, total_tokens: 5 } });
    },
  });
  servers.push(server);
  return { url: `http://127.0.0.1:${server.port}/v1`, calls: () => calls };
}

const target = (id: string, baseUrl: string, credentialRef = "env:K") => ({ deployment: { id, provider: "openai", baseUrl, model: "m", region: "eu", credentialRef } as SnapshotDeployment, adapter: openaiAdapter });
const req = { model: "m", input: "hello", encodingFormat: "float", dimensions: 64, raw: { model: "m", input: "hello", dimensions: 64 } } as EmbeddingsRequest;
const steps = (trail: { steps: { deploymentId: string; outcome: string; reason: string | null }[] }) => trail.steps.map((s) => `${s.deploymentId}:${s.outcome}:${s.reason}`);

test("a deployment down for a moment, then one that ignores dimensions: the 5xx is the answer, not a 400 naming dimensions; billing, trail and breaker as before", async () => {
  const breaker = createMemoryBreaker({ failureThreshold: 5, coolDownMs: 60_000 });
  const [down, ignores] = [embeddingsServer(503), embeddingsServer("ignores")];
  const result = await executeEmbeddings(req, [target("d1", down.url), target("d2", ignores.url)], { ...testExecuteOptions({ health: breaker }), label: "t" });
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.error.kind).toBe("upstream_error");
  expect(steps(result.trail)).toEqual(["d1:error:status_503", "d1:error:status_503", "d2:error:unsupported_parameter:dimensions"]);
  expect(result.trail.refusedCalls?.map((call) => call.deployment.id)).toEqual(["d2"]);
  expect(result.trail.attempts).toBe(3);
  expect([down.calls(), ignores.calls()]).toEqual([2, 1]);
  expect([breaker.canAttempt("d1"), breaker.canAttempt("d2")]).toEqual([true, true]);
});

test("the order reversed: the 5xx was the answer already, and stays it", async () => {
  const [ignores, down] = [embeddingsServer("ignores"), embeddingsServer(503)];
  const result = await executeEmbeddings(req, [target("d1", ignores.url), target("d2", down.url)], { ...testExecuteOptions(), label: "t" });
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.error.kind).toBe("upstream_error");
});

test("a vendor's 429, then one that ignores dimensions: the caller is told the vendor's rate limit", async () => {
  const [limited, ignores] = [embeddingsServer(429), embeddingsServer("ignores")];
  const result = await executeEmbeddings(req, [target("d1", limited.url), target("d2", ignores.url)], { ...testExecuteOptions(), label: "t" });
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.error.kind).toBe("upstream_rate_limited");
  expect(steps(result.trail).at(-1)).toBe("d2:error:unsupported_parameter:dimensions");
});

test("a deployment that cannot be reached, then one that ignores dimensions: the connection failure is the answer", async () => {
  const ignores = embeddingsServer("ignores");
  const result = await executeEmbeddings(req, [target("d1", `${closedUrl()}/v1`), target("d2", ignores.url)], { ...testExecuteOptions(), label: "t" });
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.error.kind).toBe("upstream_error");
  expect(steps(result.trail)).toEqual(["d1:error:network", "d1:error:network", "d2:error:unsupported_parameter:dimensions"]);
});

test("a deployment that timed out, with no attempt left to come back to it, then one that ignores dimensions: the timeout is the answer", async () => {
  const hung = Bun.serve({ port: 0, hostname: "127.0.0.1", development: false, fetch: () => new Promise<Response>(() => {}) });
  servers.push(hung);
  const ignores = embeddingsServer("ignores");
  const result = await executeEmbeddings(req, [target("d1", `http://127.0.0.1:${hung.port}/v1`), target("d2", ignores.url)], { ...testExecuteOptions({ totalMs: 300, maxAttempts: 2 }), label: "t" });
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.error.kind).toBe("upstream_timeout");
  expect(steps(result.trail)).toEqual(["d1:error:timeout_total", "d2:error:unsupported_parameter:dimensions"]);
});

test("the honouring deployment skipped for its open circuit: a 503 with the cool-down's Retry-After, not a 400", async () => {
  const breaker = createMemoryBreaker({ failureThreshold: 1, coolDownMs: 60_000 });
  breaker.onFailure("d1");
  const [honours, ignores] = [embeddingsServer("honours"), embeddingsServer("ignores")];
  const result = await executeEmbeddings(req, [target("d1", honours.url), target("d2", ignores.url)], { ...testExecuteOptions({ health: breaker }), label: "t" });
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.error.kind).toBe("upstream_unavailable");
  expect(result.error).toMatchObject({ retryAfterSeconds: expect.any(Number) });
  expect(steps(result.trail)).toEqual(["d1:skipped:circuit_open", "d2:error:unsupported_parameter:dimensions"]);
  expect(result.trail.refusedCalls?.map((call) => call.deployment.id)).toEqual(["d2"]);
  expect(honours.calls()).toBe(0);
  expect(breaker.canAttempt("d2")).toBe(true);
});

// A skipped deployment that would refuse the request before its call (Gemini embeds text only, not
// token arrays) could not have given the size either: the 400 naming dimensions stays the answer, as
// when its circuit is closed and it refuses the request in the walk.
test("token arrays on [OpenAI that ignores dimensions, Gemini behind an open circuit]: the 400 naming dimensions, as with its circuit closed", async () => {
  const ignores = embeddingsServer("ignores");
  const tokens = { ...req, input: [[1, 2, 3]], raw: { model: "m", input: [[1, 2, 3]], dimensions: 64 } } as EmbeddingsRequest;
  const gemini = { deployment: { id: "g1", provider: "gemini", baseUrl: "http://127.0.0.1:9", model: "gemini-embedding-001", region: "eu", credentialRef: "env:K" } as SnapshotDeployment, adapter: geminiAdapter };
  for (const open of [false, true]) {
    const breaker = createMemoryBreaker({ failureThreshold: 1, coolDownMs: 60_000 });
    if (open) breaker.onFailure("g1");
    const result = await executeEmbeddings(tokens, [target("d1", ignores.url), gemini], { ...testExecuteOptions({ health: breaker }), label: "t" });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ kind: "invalid_value", param: "dimensions" });
    expect(steps(result.trail)).toEqual(["d1:error:unsupported_parameter:dimensions", open ? "g1:skipped:circuit_open" : "g1:skipped:unsupported_parameter:input"]);
  }
  expect(ignores.calls()).toBe(2);
});

test("token arrays on [OpenAI that ignores dimensions, Gemini with a missing credential]: the 400 naming dimensions, not the credential's failure", async () => {
  const ignores = embeddingsServer("ignores");
  const tokens = { ...req, input: [[1, 2, 3]], raw: { model: "m", input: [[1, 2, 3]], dimensions: 64 } } as EmbeddingsRequest;
  const gemini = { deployment: { id: "g1", provider: "gemini", baseUrl: "http://127.0.0.1:9", model: "gemini-embedding-001", region: "eu", credentialRef: "env:MISSING" } as SnapshotDeployment, adapter: geminiAdapter };
  const resolveCredential = (ref: string) => (ref === "env:MISSING" ? ({ ok: false } as never) : { ok: true as const, credential: "sk-test" });
  const result = await executeEmbeddings(tokens, [target("d1", ignores.url), gemini], { ...testExecuteOptions({ resolveCredential }), label: "t" });
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.error).toMatchObject({ kind: "invalid_value", param: "dimensions" });
  expect(steps(result.trail)).toEqual(["d1:error:unsupported_parameter:dimensions", "g1:skipped:credential_missing"]);
  expect(ignores.calls()).toBe(1);
});

test("the honouring deployment skipped for its missing credential: its failure is the answer, not a 400", async () => {
  const [honours, ignores] = [embeddingsServer("honours"), embeddingsServer("ignores")];
  const resolveCredential = (ref: string) => (ref === "env:MISSING" ? ({ ok: false } as never) : { ok: true as const, credential: "sk-test" });
  const result = await executeEmbeddings(req, [target("d1", honours.url, "env:MISSING"), target("d2", ignores.url)], { ...testExecuteOptions({ resolveCredential }), label: "t" });
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.error.kind).toBe("upstream_error");
  expect(steps(result.trail)).toEqual(["d1:skipped:credential_missing", "d2:error:unsupported_parameter:dimensions"]);
});

test("every deployment called ignores dimensions, one of them after a failure it retried to an answer: the 400 naming dimensions", async () => {
  let calls = 0;
  const flaky = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    development: false,
    fetch() {
      calls++;
      if (calls === 1) return Response.json({ error: { message: "overloaded", type: "server_error" } }, { status: 503 });
      return Response.json({ object: "list", data: [{ object: "embedding", index: 0, embedding: [1, 0] }], model: "m", usage: { prompt_tokens: 5, total_tokens: 5 } });
    },
  });
  servers.push(flaky);
  const ignores = embeddingsServer("ignores");
  const result = await executeEmbeddings(req, [target("d1", `http://127.0.0.1:${flaky.port}/v1`), target("d2", ignores.url)], { ...testExecuteOptions(), label: "t" });
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.error).toMatchObject({ kind: "invalid_value", param: "dimensions" });
  expect(steps(result.trail)).toEqual(["d1:error:status_503", "d1:error:unsupported_parameter:dimensions", "d2:error:unsupported_parameter:dimensions"]);
});

// The trail names the deployment whose failure is answered (x-gateway-provider, x-gateway-model,
// x-gateway-fallback and the usage event read it), not the later one that ignored dimensions: as for a
// context-length refusal answered in place of a later failure.
test("an earlier deployment's failure answered in place of the dimensions refusal: the trail names that deployment", async () => {
  const [limited, ignores] = [embeddingsServer(429), embeddingsServer("ignores")];
  const result = await executeEmbeddings(req, [target("d1", limited.url), target("d2", ignores.url)], { ...testExecuteOptions(), label: "t" });
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.error.kind).toBe("upstream_rate_limited");
  expect(result.trail.deployment?.id).toBe("d1");
  expect(result.trail.fallback).toBe(false);
  expect(steps(result.trail).at(-1)).toBe("d2:error:unsupported_parameter:dimensions");
});

test("a fallback's failure answered between two dimensions refusals: the trail names the fallback that failed", async () => {
  const [first, down, last] = [embeddingsServer("ignores"), embeddingsServer(503), embeddingsServer("ignores")];
  const result = await executeEmbeddings(req, [target("d1", first.url), target("d2", down.url), target("d3", last.url)], { ...testExecuteOptions({ maxAttempts: 4 }), label: "t" });
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.error.kind).toBe("upstream_error");
  expect(result.trail.deployment?.id).toBe("d2");
  expect(result.trail.fallback).toBe(true);
  expect(steps(result.trail).at(-1)).toBe("d3:error:unsupported_parameter:dimensions");
});

test("every deployment called ignores dimensions: the 400's trail names the last one called", async () => {
  const [first, second] = [embeddingsServer("ignores"), embeddingsServer("ignores")];
  const result = await executeEmbeddings(req, [target("d1", first.url), target("d2", second.url)], { ...testExecuteOptions(), label: "t" });
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.error).toMatchObject({ kind: "invalid_value", param: "dimensions" });
  expect(result.trail.deployment?.id).toBe("d2");
  expect(result.trail.fallback).toBe(true);
});

test("the walk moves on within the attempt budget: two that ignore dimensions spend it, the 400 names dimensions, both billed, no circuit opened", async () => {
  const breaker = createMemoryBreaker({ failureThreshold: 1, coolDownMs: 60_000 });
  const [first, second, honouring] = [embeddingsServer("ignores"), embeddingsServer("ignores"), embeddingsServer("honours")];
  const result = await executeEmbeddings(req, [target("d1", first.url), target("d2", second.url), target("d3", honouring.url)], { ...testExecuteOptions({ health: breaker, maxAttempts: 2 }), label: "dimensions-test" });
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.error).toMatchObject({ kind: "invalid_value", param: "dimensions" });
  expect(result.trail.steps.map((s) => `${s.deploymentId}:${s.outcome}:${s.reason}`)).toEqual(["d1:error:unsupported_parameter:dimensions", "d2:error:unsupported_parameter:dimensions"]);
  expect(result.trail.refusedCalls?.map((call) => call.deployment.id)).toEqual(["d1", "d2"]);
  expect([first.calls(), second.calls(), honouring.calls()]).toEqual([1, 1, 0]);
  expect([breaker.canAttempt("d1"), breaker.canAttempt("d2")]).toEqual([true, true]);
});

test("with the budget to reach it, the deployment that honours dimensions answers", async () => {
  const [first, honouring] = [embeddingsServer("ignores"), embeddingsServer("honours")];
  const result = await executeEmbeddings(req, [target("d1", first.url), target("d2", honouring.url)], { ...testExecuteOptions(), label: "dimensions-test" });
  expect(result.ok).toBe(true);
  if (!result.ok) return;
  expect(result.value.response.data[0]!.embedding).toHaveLength(64);
  expect(result.trail).toMatchObject({ attempts: 2, fallback: true });
  expect(result.trail.refusedCalls?.map((call) => call.deployment.id)).toEqual(["d1"]);
});
