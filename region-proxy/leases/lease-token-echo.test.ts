/**
 * A lease request that fails is logged with the start of the answer's body, and what answered is
 * whatever sits at CONTROL_PLANE_URL: an ingress or debug page that echoes the request's headers would
 * put the region token (sent as `Authorization: Bearer …`) in the proxy's log. The token is cut out of
 * every logged excerpt, whole or cut at the excerpt's end.
 */
import { afterEach, expect, test } from "bun:test";
import { createMemoryBudgetLedger } from "../counters/memory-budget-ledger.ts";
import { startLeaseClient } from "./lease-client.ts";

const TOKEN = "regtok_ECHOED-region-secret-0123456789";
const stops: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

/** The lines logged for one lease request answered by `answer(authorization header)`. */
async function leaseLogsAgainst(answer: (authorization: string) => Response): Promise<string[]> {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", development: false, fetch: (request) => answer(request.headers.get("authorization") ?? "") });
  stops.push(() => server.stop(true));
  const logs: string[] = [];
  const leases = startLeaseClient({ controlPlaneUrl: `http://127.0.0.1:${server.port}`, regionToken: TOKEN, proxyId: "prx_test", ledger: createMemoryBudgetLedger(), refreshMs: 60_000, log: (line) => logs.push(line) });
  stops.push(() => leases.stop());
  await leases.ask("key:key_1", "day:2026-11-27");
  expect(logs).toHaveLength(1);
  return logs;
}

const CASES: [string, (authorization: string) => Response, string][] = [
  ["a 500 page echoing the headers", (a) => new Response(`Internal error. Request headers: authorization: ${a}; x-proxy-id: prx_test`, { status: 500 }), "leases: the control plane failed the lease request (500: "],
  ["a 502 JSON error quoting the header", (a) => Response.json({ error: { message: `upstream refused ${a}` } }, { status: 502 }), "leases: the control plane failed the lease request (502: "],
  ["a 401 quoting the header", (a) => new Response(`unauthorized: ${a}`, { status: 401 }), "leases: the control plane refused the lease request (401: "],
  ["a foreign 404 echoing the headers", (a) => new Response(`no route; authorization: ${a}`, { status: 404 }), "leases: the lease request to "],
  ["a foreign 404 whose 80-character excerpt ends inside the token", (a) => new Response(`${"x".repeat(68)}${a}`, { status: 404 }), "leases: the lease request to "],
  ["a 500 whose 200-character excerpt ends inside the token", (a) => new Response(`${"x".repeat(188)}${a}`, { status: 500 }), "leases: the control plane failed the lease request (500: "],
  ["a 200 that is not JSON echoing the headers", (a) => new Response(`<html>${a}</html>`, { status: 200 }), "leases: the control plane sent an unusable lease answer ("],
];

for (const [what, answer, start] of CASES) {
  test(`${what}: logged without the region token`, async () => {
    const [line] = await leaseLogsAgainst(answer);
    expect(line).toStartWith(start);
    expect(line).toContain("[redacted]");
    expect(line).not.toContain(TOKEN.slice(0, 12));
    expect(line).not.toContain("ECHOED");
  });
}
