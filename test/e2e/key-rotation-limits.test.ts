/**
 * A rotated key is the same key with a new secret (review U's repro): what it spent this month still
 * counts against its budget after rotateKey, its old and new secrets share one rate limit during the
 * grace period, and spend.byKey shows it as one row, under the id it was first created with.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { clearOfDayEnd } from "../support/clear-of-day-end.ts";
import { eventually, startStack, type TestStack } from "../support/stack.ts";

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack({ regions: ["eu"], snapshotPollMs: 1000 });
}, 60_000);
afterAll(async () => {
  await stack?.stop();
});

const call = (secret: string) =>
  fetch(`${stack.proxies.eu!.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${secret}`, "content-type": "application/json" },
    body: JSON.stringify({ model: stack.demo.alias, max_tokens: 50, messages: [{ role: "user", content: "one two three four five six" }] }),
  }).then(async (r) => (await r.arrayBuffer(), r.status));

const createKey = async (name: string, limits: Record<string, number>) =>
  (await stack.admin.request<any>(`mutation($i: CreateKeyInput!) { createKey(input: $i) { key { id } secret } }`, { i: { tenantId: stack.demo.tenantId, name, ...limits } })).createKey as {
    key: { id: string };
    secret: string;
  };
const rotateKey = async (id: string) =>
  (await stack.admin.request<any>(`mutation($i: RotateKeyInput!) { rotateKey(input: $i) { key { id } secret } }`, { i: { id } })).rotateKey as { key: { id: string }; secret: string };
const monthlySpent = async (keyId: string) => {
  const { limitStatus } = await stack.admin.request<any>(`query($k: ID!) { limitStatus(keyId: $k) { budgets { scope period spentMicros } } }`, { k: keyId });
  const monthly = limitStatus.budgets.find((b: { period: string }) => b.period.startsWith("month"));
  return { scope: monthly.scope as string, spent: BigInt(monthly.spentMicros) };
};

test("the key's spend this month still counts after rotateKey, for the old id and the new", async () => {
  // limitStatus reads the current month (UTC): run across a month's last midnight, the spend booked in
  // the month before was looked for in the new one. Only a month's end matters here, not every midnight.
  await clearOfDayEnd(30_000, "UTC", { unit: "month" });
  const old = await createKey("budgeted", { monthlyBudgetUsd: 1 });
  await eventually(async () => (await call(old.secret)) === 200, 5000, "the key at the proxy");
  const before = await eventually(async () => {
    const { spent } = await monthlySpent(old.key.id);
    return spent > 0n ? spent : undefined;
  }, 8000, "the old key's spend to be booked");

  const rotated = await rotateKey(old.key.id);
  expect(await monthlySpent(rotated.key.id)).toEqual({ scope: `key:${old.key.id}`, spent: before });
  expect(await monthlySpent(old.key.id)).toEqual({ scope: `key:${old.key.id}`, spent: before });

  // The new secret spends from the same budget.
  await eventually(async () => (await call(rotated.secret)) === 200, 5000, "the rotated key at the proxy");
  const after = await eventually(async () => {
    const { spent } = await monthlySpent(rotated.key.id);
    return spent > before ? spent : undefined;
  }, 8000, "the new secret's spend to be booked");
  expect((await monthlySpent(old.key.id)).spent).toBe(after);

  // spend.byKey: one row for the key, under its first id, with everything both secrets spent.
  const { spend } = await stack.admin.request<any>(`query($t: ID!) { spend(tenantId: $t, from: "2020-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z") { byKey { key name requests costMicros } } }`, {
    t: stack.demo.tenantId,
  });
  const rows = spend.byKey.filter((r: { name: string | null }) => r.name === "budgeted");
  expect(rows).toEqual([{ key: old.key.id, name: "budgeted", requests: 2, costMicros: String(after) }]);
}, 90_000);

test("the old and new secrets share the key's rpm during the grace period", async () => {
  // rpm 2: a burst of two, then one request per 30 s.
  const old = await createKey("limited", { rpm: 2 });
  await eventually(async () => (await call(old.secret)) === 200, 5000, "the key at the proxy");
  const rotated = await rotateKey(old.key.id);
  // A secret the proxy does not know yet is refused before any limit counts it.
  expect(await eventually(async () => {
    const status = await call(rotated.secret);
    return status === 401 ? undefined : status;
  }, 5000, "the rotated key at the proxy")).toBe(200);
  expect(await call(rotated.secret)).toBe(429);
  expect(await call(old.secret)).toBe(429);
}, 60_000);
