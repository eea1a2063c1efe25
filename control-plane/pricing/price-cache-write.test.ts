/**
 * Prompt-cache writes and reasoning tokens have their own optional prices: setPrice stores them, the
 * prices query answers them, and the region's snapshot publishes them (micro-USD, as cost.ts reads
 * them), so 10,000 Anthropic cache-write tokens on a $3/M model with a $3.75/M write price cost
 * 37,500 µ$, not the 30,000 of the plain input price. Without them the fallback stays.
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

test("a price.set change request with a cache-write price is refused, not applied without it", async () => {
  const { ann } = await twoApprovers(t.admin, t.cp.url);
  const error = await ann.client
    .request(`mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`, {
      i: {
        description: "cache-write price",
        operations: [{ op: "price.set", price: { provider: "anthropic", model: "cr-model", inputUsdPerMillion: 3, outputUsdPerMillion: 15, cacheWriteUsdPerMillion: 3.75 } }],
      },
    })
    .catch((e: unknown) => e);
  expect(error).toBeInstanceOf(AdminApiError);
  expect((error as AdminApiError).code).toBe("BAD_USER_INPUT");
  expect((error as AdminApiError).message).toContain("cacheWriteUsdPerMillion");
});
