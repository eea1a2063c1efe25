/**
 * Deployments left out before the walk (unpriced under a budget: pipeline/priced-targets.ts) are written on
 * the trail where the walk passes them in the chain, and the alias's first deployment stays the one a
 * fallback is judged against even when it is left out (review rq Q2).
 */
import { afterEach, expect, test } from "bun:test";
import type { SnapshotDeployment } from "../../shared/snapshot/schema.ts";
import { pricedTargets } from "../pipeline/priced-targets.ts";
import { testExecuteOptions } from "../testing/execute-options.ts";
import { executeChat } from "./execute.ts";
import { openaiAdapter } from "./openai/adapter.ts";
import type { ChatRequest } from "./types.ts";
import type { Snapshot } from "../../shared/snapshot/schema.ts";

const servers: ReturnType<typeof Bun.serve>[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.stop(true);
});
const completion = { id: "x", object: "chat.completion", created: 1, model: "m", choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } };
/** A vendor answering `status` (200: a completion). */
function vendor(status: number): string {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", development: false, fetch: () => (status === 200 ? Response.json(completion) : new Response("{}", { status })) });
  servers.push(server);
  return `http://127.0.0.1:${server.port}/v1`;
}
const messages = [{ role: "user", content: "hi" }];
const chat = { model: "m", messages, stream: false, includeUsage: false, raw: { model: "m", messages } } as unknown as ChatRequest;
const target = (id: string, baseUrl: string) => ({
  deployment: { id, provider: "openai", baseUrl, model: id, region: "eu", credentialRef: "env:K" } as SnapshotDeployment,
  adapter: openaiAdapter,
});
/** Walks `plan` under a budget with the deployments named in `unpriced` left out. */
async function walk(plan: ReturnType<typeof target>[], unpriced: string[]) {
  const pricing = Object.fromEntries(plan.filter((t) => !unpriced.includes(t.deployment.id)).map((t) => [`openai:${t.deployment.model}`, {}]));
  const priced = pricedTargets(plan, { pricing } as unknown as Snapshot, "a", true);
  if (!priced.ok) throw new Error("nothing priced");
  const result = await executeChat(chat, priced.targets, testExecuteOptions({ skipped: priced.skipped }));
  return { result, steps: result.trail.steps.map((s) => `${s.deploymentId}:${s.outcome}:${s.reason}`) };
}

test("a left-out first deployment makes the answer of the next a fallback", async () => {
  const { result, steps } = await walk([target("d_unpriced", vendor(200)), target("d_ok", vendor(200))], ["d_unpriced"]);
  expect(steps).toEqual(["d_unpriced:skipped:unpriced", "d_ok:ok:null"]);
  expect(result.trail.fallback).toBe(true);
});

test("the first deployment answering is no fallback, and the left-out ones after it are not walked", async () => {
  const { result, steps } = await walk([target("d_ok", vendor(200)), target("d_unpriced", vendor(200))], ["d_unpriced"]);
  expect(steps).toEqual(["d_ok:ok:null"]);
  expect(result.trail.fallback).toBe(false);
});

test("left-out deployments stand at their place in the chain, the last ones after the walk's last call", async () => {
  const { result, steps } = await walk(
    [target("d_down", vendor(503)), target("d_unpriced1", vendor(200)), target("d_down2", vendor(503)), target("d_unpriced2", vendor(200))],
    ["d_unpriced1", "d_unpriced2"],
  );
  expect(result.ok).toBe(false);
  // Each 503 is retried once at once.
  expect(steps).toEqual([
    "d_down:error:status_503",
    "d_down:error:status_503",
    "d_unpriced1:skipped:unpriced",
    "d_down2:error:status_503",
    "d_down2:error:status_503",
    "d_unpriced2:skipped:unpriced",
  ]);
});
