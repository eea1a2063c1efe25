/**
 * A request's deadline (requestTotalMs): the sum of its planned deployments' totals, so each may use all
 * of its own, held to what the HTTP server lets a silent request wait (250 s), and never shorter than
 * the longest single total.
 */
import { expect, test } from "bun:test";
import type { SnapshotDeployment } from "../../shared/snapshot/schema.ts";
import type { PlannedTarget } from "../pipeline/plan-route.ts";
import { LONGEST_SILENT_DEADLINE_MS, idleSecondsUntil } from "../routes/idle-seconds.ts";
import { openaiAdapter } from "./openai/adapter.ts";
import { requestTotalMs } from "./walk-chain.ts";

const planned = (...totals: (number | undefined)[]): PlannedTarget[] =>
  totals.map((totalMs, i) => ({
    deployment: { id: `d${i}`, provider: "openai", baseUrl: "http://127.0.0.1:1/v1", model: "m", region: "eu", credentialRef: "env:K", ...(totalMs === undefined ? {} : { timeouts: { totalMs } }) } as SnapshotDeployment,
    adapter: openaiAdapter,
  }));

test("each planned deployment adds its own total, the default for one without", () => {
  expect(requestTotalMs(planned(undefined), 120_000)).toBe(120_000);
  expect(requestTotalMs(planned(undefined, undefined), 120_000)).toBe(240_000);
  expect(requestTotalMs(planned(30_000, undefined, 5_000), 60_000)).toBe(95_000);
  expect(requestTotalMs([], 120_000)).toBe(120_000);
});

test("the sum stops where the server's idle limit would close a silent request first; one longer deployment keeps its own", () => {
  expect(LONGEST_SILENT_DEADLINE_MS).toBe(250_000);
  expect(requestTotalMs(planned(undefined, undefined, undefined), 120_000)).toBe(250_000);
  // The idle timeout the route sets for that deadline is Bun's maximum, 5 s after it.
  expect(idleSecondsUntil(Date.now() + 250_000)).toBe(255);
  expect(requestTotalMs(planned(600_000, 60_000), 120_000)).toBe(600_000);
});
