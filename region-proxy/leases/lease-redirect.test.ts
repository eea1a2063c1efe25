/**
 * A lease request is never followed through a redirect: a 307/308 re-sends the POST (the spend this
 * region reports) to another host, and that host's answer was taken as the control plane's: a 404 there
 * made every budget unmanaged (no global cap), a forged answer granted any amount. A 3xx is a failed
 * lease request, logged with where it pointed; the leases held keep being enforced. (Review E4.)
 */
import { afterEach, expect, test } from "bun:test";
import { createMemoryBudgetLedger } from "../counters/memory-budget-ledger.ts";
import { startLeaseClient } from "./lease-client.ts";

const stops: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

for (const status of [301, 302, 307, 308]) {
  test(`a ${status} from the lease route is a failed request, never followed`, async () => {
    let elsewhere = 0;
    const other = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => (elsewhere++, new Response("not here", { status: 404 })) });
    stops.push(() => other.stop(true));
    const cp = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => new Response(null, { status, headers: { location: `http://127.0.0.1:${other.port}/internal/v1/leases` } }) });
    stops.push(() => cp.stop(true));
    const logs: string[] = [];
    const leases = startLeaseClient({ controlPlaneUrl: `http://127.0.0.1:${cp.port}`, regionToken: "regtok_x", proxyId: "prx_test", ledger: createMemoryBudgetLedger(), refreshMs: 60_000, log: (line) => logs.push(line) });
    stops.push(() => leases.stop());
    await leases.ask("key:key_1", "day:2026-11-27");
    expect(elsewhere).toBe(0);
    expect(leases.view("key:key_1", "day:2026-11-27")).toBeUndefined(); // not "unmanaged"
    expect(logs).toEqual([`leases: the control plane answered the lease request with a redirect (${status} to "http://127.0.0.1:${other.port}/internal/v1/leases"), which is not followed: CONTROL_PLANE_URL should name the control plane itself; enforcing the leases held`]);
  });
}
