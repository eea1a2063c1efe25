/**
 * A tenant's daily cap changed while an EU and a US proxy hold leases under the old one (review J's
 * repro): once a region runs the snapshot with the new cap, a lowered cap below the global spend admits
 * nothing there, and a raised cap admits again within about a second, not at the next idle renewal.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { twoApprovers, type ActingPrincipal } from "../../control-plane/testing/principals.ts";
import { clearOfDayEnd } from "../support/clear-of-day-end.ts";
import { eventually, startStack, type TestStack } from "../support/stack.ts";

let stack: TestStack;
let approvers: { ann: ActingPrincipal; ben: ActingPrincipal };

/** Applies the cap and waits for both proxies to run the snapshot carrying it; answers when that was. */
async function setCap(usd: number): Promise<number> {
  const { ann, ben } = approvers;
  const { proposeChange } = await ann.client.request<{ proposeChange: { id: string } }>(`mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`, {
    i: { description: "daily budget", operations: [{ op: "tenant.policy", id: stack.demo.tenantId, tenantPolicy: { dailyBudgetUsd: usd } }] },
  });
  const { approveChange } = await ben.client.request<{ approveChange: { status: string } }>(`mutation($id: ID!) { approveChange(id: $id) { status } }`, { id: proposeChange.id });
  expect(approveChange.status).toBe("applied");
  const { configVersion } = await stack.admin.request<{ configVersion: number }>(`{ configVersion }`);
  for (const p of Object.values(stack.proxies)) await eventually(() => p.snapshotVersion() >= configVersion, 5000, "the cap loaded");
  return Date.now();
}

beforeAll(async () => {
  stack = await startStack({ regions: ["eu", "us"] });
  approvers = await twoApprovers(stack.admin, stack.controlPlane.url);
  // $1000 per million output tokens, input free: at most $0.004 a request (max_tokens 4).
  await stack.admin.request(`mutation { setPrice(input: { provider: "openai", model: "echo-1", inputUsdPerMillion: 0, outputUsdPerMillion: 1000 }) { model } }`);
  await setCap(1);
}, 30_000);

afterAll(async () => {
  await stack?.stop();
});

async function one(region: string): Promise<number> {
  const r = await fetch(`${stack.proxies[region]!.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${stack.demo.keySecret}`, "content-type": "application/json" },
    body: JSON.stringify({ model: stack.demo.alias, max_tokens: 4, messages: [{ role: "user", content: "hi there" }] }),
  });
  await r.arrayBuffer();
  return r.status;
}

async function admitted(region: string, requests: number): Promise<number> {
  let ok = 0;
  for (let i = 0; i < requests; i++) if ((await one(region)) === 200) ok++;
  return ok;
}

test("a cap lowered below the global spend admits nothing in either region once it runs the new snapshot", async () => {
  // The proxies book each request in the UTC day it arrived: a midnight between the first requests and
  // the last check leaves the new day with nothing spent, and the lowered cap admits again.
  await clearOfDayEnd(30_000);
  // 40 requests in the EU and 20 in the US: more than $0.10 together, the US's own spend under it.
  expect(await Promise.all([admitted("eu", 40), admitted("us", 20)])).toEqual([40, 20]);
  await setCap(0.1);
  expect(await Promise.all([admitted("eu", 10), admitted("us", 10)])).toEqual([0, 0]);
}, 90_000);

test("a raised cap admits in both regions within about a second of their new snapshot", async () => {
  // Both leases are exhausted under $0.10 (the test before). Raised far enough that the region asking
  // first, sized by its recent spend rate, cannot take all that is free.
  const loaded = await setCap(100);
  for (const region of ["eu", "us"]) await eventually(async () => (await one(region)) === 200, 2000, `${region} to admit under the raised cap`);
  expect(Date.now() - loaded).toBeLessThan(2000);
}, 30_000);
