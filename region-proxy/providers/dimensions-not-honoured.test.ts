/**
 * Vectors of one length other than the `dimensions` asked are this deployment's answer to the request's
 * parameter (an unusable answer: billed, the deployment answered, the next deployment tried; a 400
 * naming dimensions when none gives the size); vectors of several lengths, with or without
 * `dimensions`, stay the deployment breaking its protocol (transient, 502).
 */
import { afterEach, expect, test } from "bun:test";
import type { SnapshotDeployment } from "../../shared/snapshot/schema.ts";
import { createMemoryBreaker } from "../breaker/memory-breaker.ts";
import { testExecuteOptions } from "../testing/execute-options.ts";
import { fromThrown } from "./attempt-outcome.ts";
import { DimensionsNotHonouredError } from "./dimensions-not-honoured.ts";
import { checkVectorLengths } from "./embedding-vectors.ts";
import { executeEmbeddings } from "./execute-embeddings.ts";
import { openaiAdapter } from "./openai/adapter.ts";
import type { EmbeddingsRequest } from "./types.ts";

const thrownBy = (check: () => void): unknown => {
  try {
    check();
  } catch (error) {
    return error;
  }
  return null;
};
const state = { clientClosed: false, timedOut: null };

test("one length other than the dimensions asked: an unusable answer, a 400 naming dimensions, the billed usage kept", () => {
  const error = thrownBy(() => checkVectorLengths([8, 8], 4000));
  expect(error).toBeInstanceOf(DimensionsNotHonouredError);
  (error as DimensionsNotHonouredError).reportedUsage = { inputTokens: 5, outputTokens: 0 } as never;
  expect(fromThrown(error, state, true)).toMatchObject({
    kind: "unusable_answer",
    error: { kind: "invalid_value", param: "dimensions" },
    reason: "unsupported_parameter:dimensions",
    refusedAnswer: { reportedUsage: { inputTokens: 5, outputTokens: 0 } },
  });
});

test("several lengths, with or without dimensions, stay a transient invalid response", () => {
  for (const dimensions of [8, 3, undefined]) {
    const error = thrownBy(() => checkVectorLengths([8, 3], dimensions));
    expect(error).not.toBeInstanceOf(DimensionsNotHonouredError);
    expect(fromThrown(error, state, true)).toMatchObject({ kind: "transient", error: { kind: "upstream_invalid_response" }, reason: "invalid_response" });
  }
  expect(thrownBy(() => checkVectorLengths([8, 8], 8))).toBeNull();
  expect(thrownBy(() => checkVectorLengths([8, 8], undefined))).toBeNull();
});

const servers: ReturnType<typeof Bun.serve>[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.stop(true);
});
/** An OpenAI-format embeddings server: 2 dimensions whatever is asked, or (`honours`) the dimensions asked. */
function embeddingsServer(honours: boolean): { url: string; calls: () => number } {
  let calls = 0;
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    development: false,
    async fetch(request) {
      calls++;
      const { dimensions } = (await request.json()) as { dimensions?: number };
      const embedding = Array.from({ length: honours && dimensions !== undefined ? dimensions : 2 }, (_, d) => (d === 0 ? 1 : 0));
      return Response.json({ object: "list", data: [{ object: "embedding", index: 0, embedding }], model: "m", usage: { prompt_tokens: 5, total_tokens: 5 } });
    },
  });
  servers.push(server);
  return { url: `http://127.0.0.1:${server.port}/v1`, calls: () => calls };
}
const target = (id: string, baseUrl: string) => ({ deployment: { id, provider: "openai", baseUrl, model: "m", region: "eu", credentialRef: "env:K" } as SnapshotDeployment, adapter: openaiAdapter });
const req = { model: "m", input: "hello", encodingFormat: "float", dimensions: 64, raw: { model: "m", input: "hello", dimensions: 64 } } as EmbeddingsRequest;

test("the walk moves on within the attempt budget: two that ignore dimensions spend it, the 400 names dimensions, both billed, no circuit opened", async () => {
  const breaker = createMemoryBreaker({ failureThreshold: 1, coolDownMs: 60_000 });
  const [first, second, honouring] = [embeddingsServer(false), embeddingsServer(false), embeddingsServer(true)];
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
  const [first, honouring] = [embeddingsServer(false), embeddingsServer(true)];
  const result = await executeEmbeddings(req, [target("d1", first.url), target("d2", honouring.url)], { ...testExecuteOptions(), label: "dimensions-test" });
  expect(result.ok).toBe(true);
  if (!result.ok) return;
  expect(result.value.response.data[0]!.embedding).toHaveLength(64);
  expect(result.trail).toMatchObject({ attempts: 2, fallback: true });
  expect(result.trail.refusedCalls?.map((call) => call.deployment.id)).toEqual(["d1"]);
});
