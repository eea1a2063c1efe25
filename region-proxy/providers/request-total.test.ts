/**
 * A request's deadline (requestTotalMs): the sum of its planned deployments' totals, each its own or
 * the proxy's default, so a deployment that hangs for all of its own leaves every later one its own.
 */
import { expect, test } from "bun:test";
import type { SnapshotDeployment } from "../../shared/snapshot/schema.ts";
import type { PlannedTarget } from "../pipeline/plan-route.ts";
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
