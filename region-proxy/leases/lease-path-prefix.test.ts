/**
 * A CONTROL_PLANE_URL with a path (a control plane behind an ingress at https://api.example.com/gw):
 * the lease client built its URL with `new URL(LEASES_PATH, base)`, which drops the path, while the
 * snapshot loop and the usage flusher keep it. Its asks landed outside the prefix, the ingress answered
 * 404, and any 404 was read as "no global budget": every budget unmanaged, for good. Now all three join
 * the URL one way (shared/http/endpoint-url.ts), and only the control plane's own 404 (its JSON error,
 * code not_found: a control plane without the lease endpoint) means unmanaged; any other 404 is a
 * failed ask, logged and retried, the budgets left as when the control plane is out of reach.
 * (Review, lifecycle #1.)
 */
import { afterEach, expect, test } from "bun:test";
import { createMemoryBudgetLedger } from "../counters/memory-budget-ledger.ts";
import { startLeaseClient } from "./lease-client.ts";

const stops: (() => unknown)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

const grant = (a: { scope: string; period: string }) => ({ scope: a.scope, period: a.period, managed: true, capMicros: 100_000, grantedMicros: 5_000, ledgerSpentMicros: 0, ledgerVersion: 1, expiresAt: new Date(Date.now() + 60_000).toISOString(), exhausted: false });

/** An ingress: only /gw/... reaches the control plane; anything else is the ingress's own 404 page. */
function ingress(seen: string[]) {
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      const path = new URL(request.url).pathname;
      seen.push(path);
      if (path !== "/gw/internal/v1/leases") return new Response("default backend - 404", { status: 404 });
      const { leases } = (await request.json()) as { leases: { scope: string; period: string }[] };
      return Response.json({ grants: leases.map(grant) });
    },
  });
  stops.push(() => server.stop(true));
  return server;
}

for (const base of ["/gw", "/gw/"]) {
  test(`CONTROL_PLANE_URL with the path prefix "${base}": lease asks go under it, as snapshot polls and usage do`, async () => {
    const seen: string[] = [];
    const server = ingress(seen);
    const leases = startLeaseClient({ controlPlaneUrl: `http://127.0.0.1:${server.port}${base}`, regionToken: "regtok_x", proxyId: "prx_test", ledger: createMemoryBudgetLedger(), refreshMs: 60_000 });
    stops.push(() => leases.stop());
    await leases.ask("ten:ten_a", "day:2026-11-27");
    expect(seen).toEqual(["/gw/internal/v1/leases"]);
    expect(leases.view("ten:ten_a", "day:2026-11-27")).toMatchObject({ managed: true, capMicros: 100_000 });
  });
}

test("a 404 that is not the control plane's (an ingress's page): a failed ask, logged naming the URL, retried; no budget made unmanaged", async () => {
  const seen: string[] = [];
  const server = ingress(seen);
  const logs: string[] = [];
  // The prefix left out: every ask gets the ingress's 404.
  const leases = startLeaseClient({ controlPlaneUrl: `http://user:secret@127.0.0.1:${server.port}`, regionToken: "regtok_x", proxyId: "prx_test", ledger: createMemoryBudgetLedger(), refreshMs: 60_000, log: (line) => logs.push(line) });
  stops.push(() => leases.stop());
  await leases.ask("ten:ten_a", "day:2026-11-27");
  expect(leases.view("ten:ten_a", "day:2026-11-27")).toBeUndefined(); // as when out of reach: not "unmanaged"
  await leases.ask("ten:ten_a", "day:2026-11-27");
  expect(seen).toEqual(["/internal/v1/leases", "/internal/v1/leases"]);
  expect(leases.view("ten:ten_a", "day:2026-11-27")).toBeUndefined();
  expect(logs).toEqual([
    `leases: the lease request to "http://***@127.0.0.1:${server.port}/internal/v1/leases" was answered 404 by something that is not the control plane ("default backend - 404"): CONTROL_PLANE_URL should be the control plane's base URL (a path prefix missing?); enforcing the leases held`,
  ]);
});

test("the control plane's own 404 (one without the lease endpoint: its JSON error, code not_found) still means no global budget, logged once (lease-wrong-prefix.test.ts)", async () => {
  const old = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => Response.json({ error: { message: "no such route", code: "not_found" } }, { status: 404 }) });
  stops.push(() => old.stop(true));
  const logs: string[] = [];
  const leases = startLeaseClient({ controlPlaneUrl: `http://127.0.0.1:${old.port}`, regionToken: "regtok_x", proxyId: "prx_test", ledger: createMemoryBudgetLedger(), refreshMs: 60_000, log: (line) => logs.push(line) });
  stops.push(() => leases.stop());
  await leases.ask("ten:ten_a", "day:2026-11-27");
  expect(leases.view("ten:ten_a", "day:2026-11-27")).toMatchObject({ managed: false });
  await leases.ask("ten:ten_a", "day:2026-11-27");
  expect(logs).toHaveLength(1);
  expect(logs[0]).toStartWith(`leases: the lease request to "http://127.0.0.1:${old.port}/internal/v1/leases" was answered 404 not_found by a control plane: read as one that holds no global budget`);
});
