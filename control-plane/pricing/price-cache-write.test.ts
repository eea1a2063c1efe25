/**
 * Prompt-cache writes and reasoning tokens have their own optional prices: setPrice stores them, the
 * prices query answers them, and the region's snapshot publishes them (micro-USD, as cost.ts reads
 * them), so 10,000 Anthropic cache-write tokens on a $3/M model with a $3.75/M write price cost
 * 37,500 µ$, not the 30,000 of the plain input price. Without them the fallback stays. A reviewed
 * price.set (change request) carries them the same way, and a rollback restores them.
 */
import { beforeAll, expect, test } from "bun:test";
import { AdminApiError } from "../../infra/local/admin-client.ts";
import { SNAPSHOT_PATH_PREFIX, JWKS_PATH } from "../../shared/internal-api.ts";
import { costMicros, ZERO_USAGE } from "../../shared/money/cost.ts";
import { priceKey, type Snapshot } from "../../shared/snapshot/schema.ts";
import { importTrustedKeys, verifySnapshot } from "../../shared/snapshot/verify.ts";
import { seedConfig, type Seeded } from "../testing/seed.ts";
import { twoApprovers } from "../testing/principals.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";

const t = useTestControlPlane();
let s: Seeded;
beforeAll(async () => {
  s = await seedConfig(t.admin);
});

const PRICE_FIELDS = "provider model inputUsdPerMillion outputUsdPerMillion cachedInputUsdPerMillion cacheWriteUsdPerMillion reasoningUsdPerMillion";
const setPrice = (i: Record<string, unknown>) =>
  t.admin.request<{ setPrice: Record<string, unknown> }>(`mutation($i: SetPriceInput!) { setPrice(input: $i) { ${PRICE_FIELDS} } }`, { i });

async function euSnapshot(): Promise<Snapshot> {
  const response = await fetch(new URL(SNAPSHOT_PATH_PREFIX + "eu", t.cp.url), { headers: { authorization: `Bearer ${s.euToken}` } });
  expect(response.status).toBe(200);
  const jwks = await (await fetch(new URL(JWKS_PATH, t.cp.url))).json();
  const verdict = await verifySnapshot(await response.text(), await importTrustedKeys(jwks), "eu");
  if (!verdict.ok) throw new Error(`snapshot rejected: ${verdict.reason} ${verdict.detail}`);
  return verdict.snapshot;
}

const cacheWrite = { ...ZERO_USAGE, inputTokens: 10_000, cacheWriteTokens: 10_000 };
const reasoning = { ...ZERO_USAGE, outputTokens: 10_000, reasoningTokens: 10_000 };

test("a cache-write and reasoning price reach the snapshot and price those tokens at their own rate", async () => {
  const base = { provider: "anthropic", model: "claude-sonnet-4", inputUsdPerMillion: 3, outputUsdPerMillion: 15, cachedInputUsdPerMillion: 0.3 };
  const { setPrice: set } = await setPrice({ ...base, cacheWriteUsdPerMillion: 3.75, reasoningUsdPerMillion: 20 });
  expect(set).toEqual({ ...base, cacheWriteUsdPerMillion: 3.75, reasoningUsdPerMillion: 20 });
  const { prices } = await t.admin.request<{ prices: { items: unknown[] } }>(`{ prices(provider: "anthropic") { items { ${PRICE_FIELDS} } } }`);
  expect(prices.items).toEqual([{ ...base, cacheWriteUsdPerMillion: 3.75, reasoningUsdPerMillion: 20 }]);

  const price = (await euSnapshot()).pricing[priceKey("anthropic", "claude-sonnet-4")]!;
  expect(price).toEqual({ input: 3_000_000, output: 15_000_000, cachedInput: 300_000, cacheWrite: 3_750_000, reasoning: 20_000_000 });
  expect(costMicros(cacheWrite, price)).toBe(37_500);
  expect(costMicros(reasoning, price)).toBe(200_000);

  // Set again without them: cleared, not kept; the snapshot omits them and cost.ts falls back.
  const { setPrice: cleared } = await setPrice(base);
  expect(cleared).toEqual({ ...base, cacheWriteUsdPerMillion: null, reasoningUsdPerMillion: null });
  const fallback = (await euSnapshot()).pricing[priceKey("anthropic", "claude-sonnet-4")]!;
  expect(fallback).toEqual({ input: 3_000_000, output: 15_000_000, cachedInput: 300_000 });
  expect(costMicros(cacheWrite, fallback)).toBe(30_000);
  expect(costMicros(reasoning, fallback)).toBe(150_000);
});

test("cache-write and reasoning prices are validated like the others", async () => {
  const base = { provider: "anthropic", model: "bad-model", inputUsdPerMillion: 1, outputUsdPerMillion: 1 };
  for (const field of ["cacheWriteUsdPerMillion", "reasoningUsdPerMillion"]) {
    for (const value of [-1, 1_000_001]) {
      const error = await setPrice({ ...base, [field]: value }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AdminApiError);
      expect((error as AdminApiError).code).toBe("BAD_USER_INPUT");
      expect((error as AdminApiError).message).toContain(field);
    }
  }
});

type Diff = { entity: string; id: string; field: string; before: unknown; after: unknown };
const CR_FIELDS = "id status appliedVersion diff { entity id field before after }";

async function propose(operations: unknown[]): Promise<{ id: string; diff: Diff[] }> {
  const { ann } = await approvers();
  return (await ann.client.request<{ proposeChange: { id: string; diff: Diff[] } }>(`mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { ${CR_FIELDS} } }`, {
    i: { description: "price", operations },
  })).proposeChange;
}
async function approve(id: string): Promise<{ status: string; appliedVersion: number | null }> {
  const { ben } = await approvers();
  return (await ben.client.request<{ approveChange: { status: string; appliedVersion: number | null } }>(`mutation($id: ID!) { approveChange(id: $id) { ${CR_FIELDS} } }`, { id })).approveChange;
}
let pair: Awaited<ReturnType<typeof twoApprovers>> | undefined;
async function approvers() {
  pair ??= await twoApprovers(t.admin, t.cp.url);
  return pair;
}
async function priceOf(model: string) {
  const { prices } = await t.admin.request<{ prices: { items: Record<string, unknown>[] } }>(`{ prices(provider: "anthropic") { items { ${PRICE_FIELDS} } } }`);
  return prices.items.find((p) => p.model === model);
}
const priceDiff = (diff: Diff[]) => diff.filter((d) => d.field === "cacheWriteMicros" || d.field === "reasoningMicros").map(({ field, before, after }) => ({ field, before, after }));

test("a reviewed price.set carries cache-write and reasoning prices; one without them clears them; a rollback restores them", async () => {
  const model = "cr-model";
  const base = { provider: "anthropic", model, inputUsdPerMillion: 3, outputUsdPerMillion: 15, cachedInputUsdPerMillion: 0.3 };
  const withThem = await propose([{ op: "price.set", price: { ...base, cacheWriteUsdPerMillion: 3.75, reasoningUsdPerMillion: 20 } }]);
  expect(priceDiff(withThem.diff)).toEqual([
    { field: "cacheWriteMicros", before: null, after: 3_750_000 },
    { field: "reasoningMicros", before: null, after: 20_000_000 },
  ]);
  const applied = await approve(withThem.id);
  expect(applied.status).toBe("applied");
  expect(await priceOf(model)).toEqual({ ...base, cacheWriteUsdPerMillion: 3.75, reasoningUsdPerMillion: 20 });
  const price = (await euSnapshot()).pricing[priceKey("anthropic", model)]!;
  expect(price).toEqual({ input: 3_000_000, output: 15_000_000, cachedInput: 300_000, cacheWrite: 3_750_000, reasoning: 20_000_000 });
  expect(costMicros(cacheWrite, price)).toBe(37_500);

  // A later price.set without them clears them, as setPrice does; the diff says so.
  const without = await propose([{ op: "price.set", price: { ...base, inputUsdPerMillion: 4 } }]);
  expect(priceDiff(without.diff)).toEqual([
    { field: "cacheWriteMicros", before: 3_750_000, after: null },
    { field: "reasoningMicros", before: 20_000_000, after: null },
  ]);
  expect((await approve(without.id)).status).toBe("applied");
  expect(await priceOf(model)).toEqual({ ...base, inputUsdPerMillion: 4, cacheWriteUsdPerMillion: null, reasoningUsdPerMillion: null });
  expect((await euSnapshot()).pricing[priceKey("anthropic", model)]).toEqual({ input: 4_000_000, output: 15_000_000, cachedInput: 300_000 });

  // Rolling back to the version the first request made restores them.
  const { ann } = await approvers();
  const { proposeRollback } = await ann.client.request<{ proposeRollback: { id: string; diff: Diff[] } }>(
    `mutation($v: Int!) { proposeRollback(toVersion: $v) { ${CR_FIELDS} } }`,
    { v: applied.appliedVersion },
  );
  expect(priceDiff(proposeRollback.diff)).toEqual([
    { field: "cacheWriteMicros", before: null, after: 3_750_000 },
    { field: "reasoningMicros", before: null, after: 20_000_000 },
  ]);
  expect((await approve(proposeRollback.id)).status).toBe("applied");
  expect(await priceOf(model)).toEqual({ ...base, cacheWriteUsdPerMillion: 3.75, reasoningUsdPerMillion: 20 });
  expect((await euSnapshot()).pricing[priceKey("anthropic", model)]).toEqual({
    input: 3_000_000,
    output: 15_000_000,
    cachedInput: 300_000,
    cacheWrite: 3_750_000,
    reasoning: 20_000_000,
  });
});

test("a reviewed price.set on a price whose cache-write price was set directly clears it, and the diff shows it", async () => {
  const model = "direct-model";
  const base = { provider: "anthropic", model, inputUsdPerMillion: 3, outputUsdPerMillion: 15 };
  await setPrice({ ...base, cacheWriteUsdPerMillion: 3.75 });
  const cr = await propose([{ op: "price.set", price: { ...base, outputUsdPerMillion: 16 } }]);
  expect(priceDiff(cr.diff)).toEqual([{ field: "cacheWriteMicros", before: 3_750_000, after: null }]);
  expect((await approve(cr.id)).status).toBe("applied");
  expect(await priceOf(model)).toEqual({ ...base, outputUsdPerMillion: 16, cachedInputUsdPerMillion: null, cacheWriteUsdPerMillion: null, reasoningUsdPerMillion: null });
  expect((await euSnapshot()).pricing[priceKey("anthropic", model)]).toEqual({ input: 3_000_000, output: 16_000_000 });
});

test("a reviewed price.set validates cache-write and reasoning prices like setPrice", async () => {
  const base = { provider: "anthropic", model: "bad-cr-model", inputUsdPerMillion: 1, outputUsdPerMillion: 1 };
  for (const field of ["cacheWriteUsdPerMillion", "reasoningUsdPerMillion"]) {
    const error = await propose([{ op: "price.set", price: { ...base, [field]: -1 } }]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AdminApiError);
    expect((error as AdminApiError).code).toBe("BAD_USER_INPUT");
    expect((error as AdminApiError).message).toContain(field);
  }
});

test("a stored price without them has the shape stored before they existed; a rollback to it clears them and rewrites no other price", async () => {
  const model = "old-state-model";
  const base = { provider: "anthropic", model, inputUsdPerMillion: 1, outputUsdPerMillion: 2 };
  const first = await propose([{ op: "price.set", price: base }]);
  const { appliedVersion } = await approve(first.id);
  const second = await propose([{ op: "price.set", price: { ...base, reasoningUsdPerMillion: 5 } }]);
  expect((await approve(second.id)).status).toBe("applied");
  // A price without them is stored as before the policy state carried them (input, output, cached
  // input), so a state stored before reads the same: absent = none.
  const sql = t.openSql();
  const [row] = await sql<{ state: { price: Record<string, unknown> } }[]>`select state from config_states where version = ${appliedVersion!}`;
  expect(row!.state.price[`anthropic:${model}`]).toEqual({ provider: "anthropic", model, inputMicros: 1_000_000, outputMicros: 2_000_000, cachedInputMicros: null });
  const { ann } = await approvers();
  const { proposeRollback } = await ann.client.request<{ proposeRollback: { id: string; diff: Diff[] } }>(
    `mutation($v: Int!) { proposeRollback(toVersion: $v) { ${CR_FIELDS} } }`,
    { v: appliedVersion },
  );
  // Only the price that moved since: the others (none of them, or the same ones) are not rewritten.
  expect(proposeRollback.diff.filter((d) => d.entity === "price")).toEqual([
    { entity: "price", id: `anthropic:${model}`, field: "reasoningMicros", before: 5_000_000, after: null },
  ]);
  expect((await approve(proposeRollback.id)).status).toBe("applied");
  expect(await priceOf(model)).toEqual({ ...base, cachedInputUsdPerMillion: null, cacheWriteUsdPerMillion: null, reasoningUsdPerMillion: null });
});
