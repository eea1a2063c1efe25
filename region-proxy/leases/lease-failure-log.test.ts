/**
 * Why a lease request got no answer is logged as what it was: a control plane that answered with a
 * 5xx, or with something that is not a lease answer, was reached, and the log says so (an operator
 * reading "cannot reach" looks at the network, not at the control plane's own failure).
 */
import { afterEach, expect, test } from "bun:test";
import { createMemoryBudgetLedger } from "../counters/memory-budget-ledger.ts";
import { startLeaseClient, type LeaseClient } from "./lease-client.ts";

const stops: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

async function leaseLogsAgainst(answer: () => Response): Promise<string[]> {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", development: false, fetch: answer });
  stops.push(() => server.stop(true));
  const logs: string[] = [];
  const leases: LeaseClient = startLeaseClient({ controlPlaneUrl: `http://127.0.0.1:${server.port}`, regionToken: "regtok_x", proxyId: "prx_test", ledger: createMemoryBudgetLedger(), refreshMs: 60_000, log: (line) => logs.push(line) });
  stops.push(() => leases.stop());
  await leases.ask("key:key_1", "day:2026-11-27");
  expect(leases.view("key:key_1", "day:2026-11-27")).toBeUndefined();
  return logs;
}

test("a 5xx from the lease route is logged as the control plane failing, with its status and message", async () => {
  const logs = await leaseLogsAgainst(() => Response.json({ error: { message: "database is down" } }, { status: 503 }));
  expect(logs).toEqual(["leases: the control plane failed the lease request (503: database is down); enforcing the leases held"]);
});

test("a 200 that is not a lease answer is logged as unusable, not as out of reach", async () => {
  const logs = await leaseLogsAgainst(() => new Response("<html>proxy error</html>", { status: 200 }));
  expect(logs).toHaveLength(1);
  expect(logs[0]).toStartWith("leases: the control plane sent an unusable lease answer (");
});

test("a control plane that cannot be reached is still logged as out of reach", async () => {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response("") });
  const port = server.port;
  server.stop(true);
  const logs: string[] = [];
  const leases = startLeaseClient({ controlPlaneUrl: `http://127.0.0.1:${port}`, regionToken: "regtok_x", proxyId: "prx_test", ledger: createMemoryBudgetLedger(), refreshMs: 60_000, log: (line) => logs.push(line) });
  stops.push(() => leases.stop());
  await leases.ask("key:key_1", "day:2026-11-27");
  expect(logs).toHaveLength(1);
  expect(logs[0]).toStartWith("leases: cannot reach the control plane (");
});
