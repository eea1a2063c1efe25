/**
 * A price's long-context tier (Gemini 2.5 Pro over 200k prompt tokens: $2.50/$15 instead of
 * $1.25/$10): setPrice stores it, the prices query answers it, and the region's snapshot publishes it
 * in micro-USD, so cost.ts prices a 250,000-token prompt at the tier. A tier must price every class
 * its row prices, and no other; its prices follow the row's rules (none rounding to 0). A reviewed
 * price.set carries it the same way.
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

const TIER_FIELDS = "thresholdTokens inputUsdPerMillion outputUsdPerMillion cachedInputUsdPerMillion cacheWriteUsdPerMillion reasoningUsdPerMillion";
const PRICE_FIELDS = `provider model inputUsdPerMillion outputUsdPerMillion cachedInputUsdPerMillion longContext { ${TIER_FIELDS} }`;
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
async function refusal(promise: Promise<unknown>): Promise<AdminApiError> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AdminApiError);
  return error as AdminApiError;
}

const gemini = { provider: "gemini", model: "gemini-2.5-pro", inputUsdPerMillion: 1.25, outputUsdPerMillion: 10, cachedInputUsdPerMillion: 0.31 };
const tier = { thresholdTokens: 200_000, inputUsdPerMillion: 2.5, outputUsdPerMillion: 15, cachedInputUsdPerMillion: 0.625 };
const long = { ...ZERO_USAGE, inputTokens: 250_000, outputTokens: 1_000 };

test("a long-context tier reaches the prices query and the snapshot, and prices a prompt over its threshold", async () => {
  const { setPrice: set } = await setPrice({ ...gemini, longContext: tier });
  expect(set).toEqual({ ...gemini, longContext: { ...tier, cacheWriteUsdPerMillion: null, reasoningUsdPerMillion: null } });
  const { prices } = await t.admin.request<{ prices: { items: unknown[] } }>(`{ prices(provider: "gemini") { items { ${PRICE_FIELDS} } } }`);
  expect(prices.items).toEqual([set]);

  const price = (await euSnapshot()).pricing[priceKey("gemini", "gemini-2.5-pro")]!;
  expect(price).toEqual({
    input: 1_250_000,
    output: 10_000_000,
    cachedInput: 310_000,
    longContext: { thresholdTokens: 200_000, input: 2_500_000, output: 15_000_000, cachedInput: 625_000 },
  });
  expect(costMicros(long, price)).toBe(250_000 * 2.5 + 1_000 * 15);
  expect(costMicros({ ...long, inputTokens: 200_000 }, price)).toBe(200_000 * 1.25 + 1_000 * 10);

  // Set again without it: cleared, as the other optional prices are; the snapshot omits it.
  const { setPrice: cleared } = await setPrice(gemini);
  expect(cleared).toEqual({ ...gemini, longContext: null });
  expect((await euSnapshot()).pricing[priceKey("gemini", "gemini-2.5-pro")]).toEqual({ input: 1_250_000, output: 10_000_000, cachedInput: 310_000 });
});

test("a tier must price exactly the classes its row prices", async () => {
  // The row prices cached input: a tier without it would charge cached tokens over the threshold at the base.
  const { cachedInputUsdPerMillion: _, ...withoutCached } = tier;
  const missing = await refusal(setPrice({ ...gemini, model: "partial", longContext: withoutCached }));
  expect(missing.code).toBe("BAD_USER_INPUT");
  expect(missing.message).toContain("longContext.cachedInputUsdPerMillion");
  // The row has no cache-write price: the tier may not invent one.
  const extra = await refusal(setPrice({ ...gemini, model: "partial", longContext: { ...tier, cacheWriteUsdPerMillion: 5 } }));
  expect(extra.code).toBe("BAD_USER_INPUT");
  expect(extra.message).toContain("longContext.cacheWriteUsdPerMillion");
  // input and output are required by the schema itself.
  const { outputUsdPerMillion: __, ...withoutOutput } = tier;
  await refusal(setPrice({ ...gemini, model: "partial", longContext: withoutOutput }));
  const { prices } = await t.admin.request<{ prices: { items: { model: string }[] } }>(`{ prices(provider: "gemini") { items { model } } }`);
  expect(prices.items.map((p) => p.model)).not.toContain("partial");
});

test("a tier's threshold is a positive whole number of tokens, and its prices follow the row's rules", async () => {
  for (const [field, value] of [
    ["thresholdTokens", 0],
    ["thresholdTokens", -1],
    ["inputUsdPerMillion", -1],
    ["outputUsdPerMillion", 1_000_001],
    // D3: a non-zero price that rounds to 0 micro-USD per 1M tokens would serve the tier for free.
    ["cachedInputUsdPerMillion", 0.0000001],
  ] as const) {
    const error = await refusal(setPrice({ ...gemini, model: "bad-tier", longContext: { ...tier, [field]: value } }));
    expect(error.code).toBe("BAD_USER_INPUT");
    expect(error.message).toContain(`longContext.${field}`);
  }
});

test("a tier has no tier of its own: a longContext inside longContext is refused, not dropped", async () => {
  const error = await refusal(setPrice({ ...gemini, model: "nested-tier", longContext: { ...tier, longContext: tier } }));
  expect(error.code).toBe("BAD_USER_INPUT");
  expect(error.message).toContain("longContext");
});

type Diff = { entity: string; id: string; field: string; before: unknown; after: unknown };
const CR_FIELDS = "id status appliedVersion diff { entity id field before after }";
let pair: Awaited<ReturnType<typeof twoApprovers>> | undefined;
async function propose(operations: unknown[]): Promise<{ id: string; diff: Diff[] }> {
  pair ??= await twoApprovers(t.admin, t.cp.url);
  return (await pair.ann.client.request<{ proposeChange: { id: string; diff: Diff[] } }>(`mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { ${CR_FIELDS} } }`, {
    i: { description: "long-context price", operations },
  })).proposeChange;
}
async function approve(id: string): Promise<{ status: string }> {
  pair ??= await twoApprovers(t.admin, t.cp.url);
  return (await pair.ben.client.request<{ approveChange: { status: string } }>(`mutation($id: ID!) { approveChange(id: $id) { ${CR_FIELDS} } }`, { id })).approveChange;
}

test("a reviewed price.set carries the tier, a later one without it clears it, and a partial tier is refused naming the operation", async () => {
  const price = { ...gemini, model: "gemini-3-pro" };
  const withTier = await propose([{ op: "price.set", price: { ...price, longContext: tier } }]);
  const microsTier = { thresholdTokens: 200_000, inputMicros: 2_500_000, outputMicros: 15_000_000, cachedInputMicros: 625_000 };
  expect(withTier.diff.filter((d) => d.field === "longContext")).toEqual([{ entity: "price", id: "gemini:gemini-3-pro", field: "longContext", before: null, after: microsTier }]);
  expect((await approve(withTier.id)).status).toBe("applied");
  expect((await euSnapshot()).pricing[priceKey("gemini", "gemini-3-pro")]?.longContext).toEqual({ thresholdTokens: 200_000, input: 2_500_000, output: 15_000_000, cachedInput: 625_000 });

  const without = await propose([{ op: "price.set", price }]);
  expect(without.diff.filter((d) => d.field === "longContext").map((d) => [d.before, d.after])).toEqual([[microsTier, null]]);
  expect((await approve(without.id)).status).toBe("applied");
  expect((await euSnapshot()).pricing[priceKey("gemini", "gemini-3-pro")]?.longContext).toBeUndefined();

  const { cachedInputUsdPerMillion: _, ...partial } = tier;
  const error = await refusal(propose([{ op: "price.set", price: { ...price, longContext: partial } }]));
  expect(error.code).toBe("BAD_USER_INPUT");
  expect(error.message).toContain("operations[0].price.longContext.cachedInputUsdPerMillion");
});
