/**
 * Done-when 2: rotation keeps both keys working during the grace period and only the new one after;
 * revocation and expiry reach running proxies within 5 seconds; a key scoped to a region is carried
 * only by that region's snapshots; last use is recorded from usage.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import OpenAI from "openai";
import { errorCode } from "../../control-plane/testing/principals.ts";
import { eventually, startStack, type TestStack } from "../support/stack.ts";

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack({ regions: ["eu", "us"], snapshotPollMs: 1000 });
});
afterAll(async () => {
  await stack?.stop();
});

const clientFor = (region: string, apiKey: string) => new OpenAI({ baseURL: `${stack.proxies[region]!.url}/v1`, apiKey, maxRetries: 0 });
/** "ok", or the error class name the SDK threw. */
async function call(region: string, apiKey: string): Promise<string> {
  try {
    await clientFor(region, apiKey).chat.completions.create({ model: stack.demo.alias, messages: [{ role: "user", content: "hi" }] });
    return "ok";
  } catch (error) {
    return error instanceof OpenAI.APIError ? `${error.status}:${error.code}` : String(error);
  }
}
const createKey = async (input: Record<string, unknown>) =>
  (await stack.admin.request<{ createKey: { key: { id: string; expiresAt: string }; secret: string } }>(`mutation($i: CreateKeyInput!) { createKey(input: $i) { key { id expiresAt } secret } }`, {
    i: { tenantId: stack.demo.tenantId, name: "lifecycle", ...input },
  })).createKey;

/** How soon a key change reaches the running proxies (revocation, expiry, a new key): the bound the product states. */
const PROPAGATION_MS = 5000;
/**
 * The rotation's grace: longer than PROPAGATION_MS with a margin, so that the old key is still inside it once
 * the new key has reached the proxy as late as the bound allows (it was 3.6 s, and the test asked for the new
 * key within 3 s though it waited 5 s for it).
 */
const GRACE_MS = 7200;

test("rotation: both keys work during the grace period, only the new one after", async () => {
  const old = await createKey({});
  await eventually(async () => (await call("eu", old.secret)) === "ok", 5000, "the new key at the proxy");
  const { rotateKey } = await stack.admin.request<{ rotateKey: { key: { id: string; expiresAt: string }; secret: string } }>(
    `mutation($i: RotateKeyInput!) { rotateKey(input: $i) { key { id expiresAt } secret } }`,
    { i: { id: old.key.id, graceHours: GRACE_MS / 3_600_000 } },
  );
  const rotatedAt = Date.now();
  expect(rotateKey.secret).not.toBe(old.secret);
  await eventually(async () => (await call("eu", rotateKey.secret)) === "ok", PROPAGATION_MS, "the rotated key at the proxy");
  // Still inside the grace period (by half a second at least): the old key works too.
  expect(Date.now() - rotatedAt).toBeLessThan(GRACE_MS - 500);
  expect(await call("eu", old.secret)).toBe("ok");
  const { keys } = await stack.admin.request<any>(`query($t: ID!) { keys(tenantId: $t, first: 100) { items { id status rotatedTo expiresAt } } }`, { t: stack.demo.tenantId });
  const oldRow = keys.items.find((k: { id: string }) => k.id === old.key.id);
  expect(oldRow.rotatedTo).toBe(rotateKey.key.id);
  expect(Date.parse(oldRow.expiresAt) - rotatedAt).toBeLessThan(GRACE_MS + 100);

  await eventually(async () => (await call("eu", old.secret)) === "401:invalid_api_key", PROPAGATION_MS + GRACE_MS, "the old key to stop after its grace");
  expect(Date.now() - rotatedAt).toBeGreaterThanOrEqual(GRACE_MS - 600);
  expect(await call("eu", rotateKey.secret)).toBe("ok");
  const after = await stack.admin.request<any>(`query($t: ID!) { keys(tenantId: $t, status: "expired") { items { id } } }`, { t: stack.demo.tenantId });
  expect(after.keys.items.map((k: { id: string }) => k.id)).toContain(old.key.id);

  // A rotated-away, revoked or expired key cannot be rotated.
  expect(await errorCode(stack.admin.request(`mutation($i: RotateKeyInput!) { rotateKey(input: $i) { secret } }`, { i: { id: old.key.id } }))).toBe("CONFLICT");
  const revokedAt = Date.now();
  await stack.admin.request(`mutation($id: ID!) { revokeKey(id: $id) { id } }`, { id: rotateKey.key.id });
  expect(await errorCode(stack.admin.request(`mutation($i: RotateKeyInput!) { rotateKey(input: $i) { secret } }`, { i: { id: rotateKey.key.id } }))).toBe("CONFLICT");
  expect(await errorCode(stack.admin.request(`mutation($i: RotateKeyInput!) { rotateKey(input: $i) { secret } }`, { i: { id: rotateKey.key.id, graceHours: -1 } }))).toBe("BAD_USER_INPUT");
  // Revocation reaches the running proxies of every region within 5 s.
  await eventually(
    async () => (await call("eu", rotateKey.secret)) === "401:invalid_api_key" && (await call("us", rotateKey.secret)) === "401:invalid_api_key",
    PROPAGATION_MS,
    "revocation at the eu and us proxies",
  );
  expect(Date.now() - revokedAt).toBeLessThan(PROPAGATION_MS);
}, 30_000);

test("expiry reaches a running proxy within 5 seconds of the expiry time", async () => {
  const key = await createKey({ expiresAt: new Date(Date.now() + 2500).toISOString() });
  await eventually(async () => (await call("eu", key.secret)) === "ok" && (await call("us", key.secret)) === "ok", 2400, "the key before expiry");
  await eventually(
    async () => (await call("eu", key.secret)) === "401:invalid_api_key" && (await call("us", key.secret)) === "401:invalid_api_key",
    8000,
    "the key to expire in both regions",
  );
  expect(Date.now() - Date.parse(key.key.expiresAt)).toBeLessThan(PROPAGATION_MS);
  expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(key.key.expiresAt));
}, 20_000);

test("a key scoped to a region works only there; last use is recorded", async () => {
  const key = await createKey({ allowedRegions: ["us"] });
  await eventually(async () => (await call("us", key.secret)) === "ok", 5000, "the key in us");
  expect(await call("eu", key.secret)).toBe("401:invalid_api_key");
  const lastUsed = await eventually(async () => {
    const { keys } = await stack.admin.request<any>(`query($t: ID!) { keys(tenantId: $t, first: 100) { items { id lastUsedAt allowedRegions } } }`, { t: stack.demo.tenantId });
    const row = keys.items.find((k: { id: string }) => k.id === key.key.id);
    return row.lastUsedAt ? row : undefined;
  }, 5000, "lastUsedAt from usage");
  expect(lastUsed.allowedRegions).toEqual(["us"]);
  expect(Math.abs(Date.parse(lastUsed.lastUsedAt) - Date.now())).toBeLessThan(10_000);
  expect(await errorCode(stack.admin.request(`mutation($i: CreateKeyInput!) { createKey(input: $i) { secret } }`, { i: { tenantId: stack.demo.tenantId, name: "x", allowedRegions: ["Not A Region"] } }))).toBe("BAD_USER_INPUT");
}, 20_000);
