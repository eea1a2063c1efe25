import { beforeAll, expect, test } from "bun:test";
import { hashSecret } from "../shared/ids.ts";
import { JWKS_PATH, SNAPSHOT_PATH_PREFIX } from "../shared/internal-api.ts";
import { priceKey } from "../shared/snapshot/schema.ts";
import { importTrustedKeys, verifySnapshot } from "../shared/snapshot/verify.ts";
import { seedConfig, type Seeded } from "./testing/seed.ts";
import { useTestControlPlane } from "./testing/test-control-plane.ts";

const t = useTestControlPlane();
let s: Seeded;
beforeAll(async () => {
  s = await seedConfig(t.admin);
});

const fetchSnapshot = (region: string, token: string | null, headers: Record<string, string> = {}) =>
  fetch(new URL(SNAPSHOT_PATH_PREFIX + region, t.cp.url), {
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
  });

async function verified(region: string, token: string) {
  const response = await fetchSnapshot(region, token);
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toBe("application/jose");
  const jwks = await (await fetch(new URL(JWKS_PATH, t.cp.url))).json();
  expect(jwks).toEqual(t.cp.jwks);
  const verdict = await verifySnapshot(await response.text(), await importTrustedKeys(jwks), region);
  if (!verdict.ok) throw new Error(`snapshot rejected: ${verdict.reason} ${verdict.detail}`);
  return { snapshot: verdict.snapshot, etag: response.headers.get("etag") };
}

test("a region's snapshot verifies against the JWKS and holds only that region's config", async () => {
  const { snapshot, etag } = await verified("eu", s.euToken);
  const { configVersion } = await t.admin.request<{ configVersion: number }>(`{ configVersion }`);
  expect(snapshot.version).toBe(configVersion);
  expect(etag).toBe(`"${configVersion}"`);
  expect(snapshot.keys[hashSecret(s.secret)]).toMatchObject({ id: s.keyId, tenantId: s.tenantId, status: "active" });
  expect(snapshot.tenants[s.tenantId]?.name).toBe("acme");
  expect(snapshot.aliases.chat).toEqual({ name: "chat", chain: [s.euDeploymentId] });
  expect(Object.keys(snapshot.deployments)).toEqual([s.euDeploymentId]);
  expect(snapshot.deployments[s.euDeploymentId]?.credentialRef).toBe("env:OPENAI_EU_KEY");
  expect(snapshot.pricing[priceKey("openai", "gpt-4o-mini")]).toEqual({ input: 150_000, output: 600_000, cachedInput: 75_000 });
  const us = (await verified("us", s.usToken)).snapshot;
  expect(Object.keys(us.deployments)).toEqual([s.usDeploymentId]);
  expect(us.aliases.chat?.chain).toEqual([s.usDeploymentId]);
});

test("the snapshot never holds a secret: no gateway key, no region token", async () => {
  const text = await (await fetchSnapshot("eu", s.euToken)).text();
  const payload = Buffer.from(text.split(".")[1]!, "base64url").toString();
  expect(payload).not.toContain(s.secret);
  expect(payload).not.toContain(s.euToken);
  expect(payload).not.toContain(t.adminToken);
});

test("If-None-Match with the current ETag answers 304 without a body", async () => {
  const first = await fetchSnapshot("eu", s.euToken);
  const etag = first.headers.get("etag")!;
  await first.text();
  const second = await fetchSnapshot("eu", s.euToken, { "if-none-match": etag });
  expect(second.status).toBe(304);
  expect(await second.text()).toBe("");
  const listed = await fetchSnapshot("eu", s.euToken, { "if-none-match": `"1", W/${etag}` });
  expect(listed.status).toBe(304);
  const stale = await fetchSnapshot("eu", s.euToken, { "if-none-match": '"1"' });
  expect(stale.status).toBe(200);
});

test("401 without or with a bad token, 403 for another region's token, 404 before the first snapshot", async () => {
  const none = await fetchSnapshot("eu", null);
  expect(none.status).toBe(401);
  expect((await none.json()).error.code).toBe("unauthenticated");
  expect((await fetchSnapshot("eu", "regtok_nope")).status).toBe(401);
  const other = await fetchSnapshot("eu", s.usToken);
  expect(other.status).toBe(403);
  expect((await other.json()).error.message).not.toContain("at ");
  // A region whose snapshots were removed (e.g. restored from an old backup) has none to serve.
  const { createRegion } = await t.admin.request<any>(`mutation { createRegion(input: { name: "ap" }) { token } }`);
  await t.openSql()`delete from snapshots where region = 'ap'`;
  const missing = await fetchSnapshot("ap", createRegion.token);
  expect(missing.status).toBe(404);
  expect((await missing.json()).error.code).toBe("not_found");
});

test("polling proxies show up under their region; garbage headers are ignored", async () => {
  await (await fetchSnapshot("eu", s.euToken, { "x-proxy-id": "prx_eu_1", "x-proxy-snapshot-version": "3" })).text();
  await (await fetchSnapshot("eu", s.euToken, { "x-proxy-id": "prx_eu_2", "x-proxy-snapshot-version": "banana" })).text();
  await (await fetchSnapshot("eu", s.euToken, { "x-proxy-id": "bad id with spaces <script>" })).text();
  const { regions } = await t.admin.request<any>(`{ regions { items { name proxies { id snapshotVersion region } } } }`);
  const eu = regions.items.find((r: { name: string }) => r.name === "eu");
  expect(eu.proxies).toEqual([
    { id: "prx_eu_1", snapshotVersion: 3, region: "eu" },
    { id: "prx_eu_2", snapshotVersion: 0, region: "eu" },
  ]);
});

test("revokeKey publishes a newer snapshot without the key", async () => {
  const before = await verified("eu", s.euToken);
  expect(before.snapshot.keys[hashSecret(s.secret)]?.status).toBe("active");
  await t.admin.request(`mutation($id: ID!) { revokeKey(id: $id) { id } }`, { id: s.keyId });
  const after = await verified("eu", s.euToken);
  expect(after.snapshot.version).toBeGreaterThan(before.snapshot.version);
  expect(after.snapshot.keys[hashSecret(s.secret)]).toBeUndefined();
});

test("malformed percent-encoding in the region is 400 JSON, not 500", async () => {
  for (const path of ["%E0%A4%A", "%", "eu%zz"]) {
    const response = await fetch(new URL(`${SNAPSHOT_PATH_PREFIX}${path}`, t.cp.url), { headers: { authorization: `Bearer ${s.euToken}` } });
    expect([path, response.status]).toEqual([path, 400]);
    expect((await response.json()).error).toBeDefined();
  }
});
