/**
 * A control plane that restarts with another signing key republishes every region's configuration as
 * a new version signed with that key, at start and without any config change: proxies pinned to the
 * keys it now serves verify what it hands them. A restart with the same key publishes nothing. Retired
 * public keys (SIGNING_KEY_PREVIOUS_JWKS) are served beside the current one for a rotation's overlap.
 */
import { afterAll, expect, test } from "bun:test";
import { decodeProtectedHeader, type JWK } from "jose";
import { JWKS_PATH, SNAPSHOT_PATH_PREFIX } from "../../shared/internal-api.ts";
import { generateSigningKey } from "../../shared/snapshot/sign.ts";
import { importTrustedKeys, verifySnapshot } from "../../shared/snapshot/verify.ts";
import { createTestDatabase, type TestDatabase } from "../../test/support/postgres.ts";
import { startTestControlPlane, type TestControlPlane } from "../testing/test-control-plane.ts";

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => {});
}, 30_000); // several control planes and databases: past bun's 5 s default on a busy machine

async function database(): Promise<TestDatabase> {
  const db = await createTestDatabase();
  cleanups.push(() => db.drop());
  return db;
}

async function start(db: TestDatabase, signingKeyJwk: string, extra: Parameters<typeof startTestControlPlane>[0] = {}): Promise<TestControlPlane> {
  const cp = await startTestControlPlane({ databaseUrl: db.url, signingKeyJwk, ...extra });
  cleanups.push(() => cp.close());
  return cp;
}

async function newKey(kid: string): Promise<{ jwk: string; publicJwk: JWK }> {
  const { key, privateJwk } = await generateSigningKey(kid);
  return { jwk: JSON.stringify(privateJwk), publicJwk: key.publicJwk };
}

/** A control plane on `db` (key `jwk`) with regions eu and us and a tenant; their region tokens. */
async function seeded(db: TestDatabase, jwk: string): Promise<{ cp: TestControlPlane; tokens: Record<string, string> }> {
  const cp = await start(db, jwk);
  const tokens: Record<string, string> = {};
  for (const name of ["eu", "us"]) {
    tokens[name] = (await cp.admin.request<{ createRegion: { token: string } }>(`mutation($n: String!) { createRegion(input: { name: $n }) { token } }`, { n: name })).createRegion.token;
  }
  await cp.admin.request(`mutation { createTenant(input: { name: "acme" }) { id } }`);
  return { cp, tokens };
}

/** Polls as a proxy does: with the version it holds as If-None-Match (undefined: it holds none). */
async function poll(cp: TestControlPlane, region: string, token: string, held?: number): Promise<{ status: number; jws: string; version: number | null }> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (held !== undefined) headers["if-none-match"] = `"${held}"`;
  const response = await fetch(new URL(SNAPSHOT_PATH_PREFIX + region, cp.cp.url), { headers });
  const etag = response.headers.get("etag");
  return { status: response.status, jws: await response.text(), version: etag ? Number(JSON.parse(etag)) : null };
}

async function servedJwks(cp: TestControlPlane): Promise<{ keys: JWK[] }> {
  return (await fetch(new URL(JWKS_PATH, cp.cp.url))).json();
}

/** Read from the database: of two control planes started at once, one's admin token revoked the other's. */
async function configVersion(cp: TestControlPlane): Promise<number> {
  const [row] = await cp.openSql()<{ version: number }[]>`select max(version) as version from config_versions`;
  return row!.version;
}

async function republishAudits(cp: TestControlPlane): Promise<{ actor: string; action: string; target: string; after: unknown }[]> {
  return cp.openSql()`select actor, action, target, after from audit_log where action = 'snapshot.republish' order by id`;
}

test("a restart with a new key republishes every region as a newer version that the new JWKS verifies, with no config change", async () => {
  const db = await database();
  const oldKey = await newKey("cp-old");
  const { cp: first, tokens } = await seeded(db, oldKey.jwk);
  const before = await configVersion(first);
  const held = await poll(first, "eu", tokens.eu!);
  expect(decodeProtectedHeader(held.jws).kid).toBe("cp-old");
  await first.cp.stop();

  const fresh = await newKey("cp-new");
  const second = await start(db, fresh.jwk);
  const jwks = await servedJwks(second);
  expect(jwks.keys.map((k) => k.kid)).toEqual(["cp-new"]);
  const trusted = await importTrustedKeys(jwks);
  expect(await configVersion(second)).toBe(before + 1);
  for (const region of ["eu", "us"]) {
    // A proxy holding the old-key version gets the new one (not a 304 that keeps the old copy)...
    const polled = await poll(second, region, tokens[region]!, held.version!);
    expect([region, polled.status, polled.version]).toEqual([region, 200, before + 1]);
    const verdict = await verifySnapshot(polled.jws, trusted, region);
    expect(verdict.ok ? verdict.snapshot.version : verdict).toBe(before + 1);
    // ...with the same configuration as before.
    if (verdict.ok) expect(Object.values(verdict.snapshot.tenants).map((t) => t.name)).toEqual(["acme"]);
  }
  // Through the publish path: versioned and audited as the control plane's own configuration.
  expect(await republishAudits(second)).toEqual([
    { actor: "system:config", action: "snapshot.republish", target: "snapshots", after: { kid: "cp-new", regions: ["eu", "us"] } },
  ]);
  expect(second.logs.some((l) => l.includes("cp-new") && l.includes(`version ${before + 1}`))).toBe(true);
}, 60_000);

test("a restart with the same key publishes nothing", async () => {
  const db = await database();
  const key = await newKey("cp-same");
  const { cp: first } = await seeded(db, key.jwk);
  const before = await configVersion(first);
  await first.cp.stop();
  const second = await start(db, key.jwk);
  expect(await configVersion(second)).toBe(before);
  expect(await republishAudits(second)).toEqual([]);
}, 60_000);

test("two control planes starting with the new key at once republish once", async () => {
  const db = await database();
  const { cp: first } = await seeded(db, (await newKey("cp-a")).jwk);
  const before = await configVersion(first);
  await first.cp.stop();
  const fresh = await newKey("cp-b");
  const [a] = await Promise.all([start(db, fresh.jwk), start(db, fresh.jwk)]);
  expect(await configVersion(a)).toBe(before + 1);
  expect((await republishAudits(a)).length).toBe(1);
}, 60_000);
test("previous public keys are served beside the current one, so proxies pinned to both verify either version", async () => {
  const db = await database();
  const oldKey = await newKey("cp-retired");
  const { cp: first, tokens } = await seeded(db, oldKey.jwk);
  const held = await poll(first, "eu", tokens.eu!);
  await first.cp.stop();

  const fresh = await newKey("cp-current");
  // The current key listed among the previous ones too (a copy of the proxies' trusted-jwks.json) is served once.
  const second = await start(db, fresh.jwk, { previousSigningKeys: [oldKey.publicJwk, fresh.publicJwk] });
  const jwks = await servedJwks(second);
  expect(jwks).toEqual(second.cp.jwks);
  expect(jwks.keys.map((k) => k.kid)).toEqual(["cp-current", "cp-retired"]);
  expect(jwks.keys.some((k) => "d" in k)).toBe(false);
  const trusted = await importTrustedKeys(jwks);
  expect((await verifySnapshot(held.jws, trusted, "eu")).ok).toBe(true);
  const now = await poll(second, "eu", tokens.eu!, held.version!);
  expect(decodeProtectedHeader(now.jws).kid).toBe("cp-current");
  expect((await verifySnapshot(now.jws, trusted, "eu")).ok).toBe(true);
}, 60_000);

test("a private key, another key under the current kid, or a broken key among the previous keys fails the start", async () => {
  const db = await database();
  const fresh = await newKey("cp-now");
  const retired = await generateSigningKey("cp-then");
  await expect(start(db, fresh.jwk, { previousSigningKeys: [retired.privateJwk] })).rejects.toThrow(
    "SIGNING_KEY_PREVIOUS_JWKS: key cp-then holds a private member (d); list public keys only",
  );
  const impostor = (await generateSigningKey("cp-now")).key.publicJwk;
  await expect(start(db, fresh.jwk, { previousSigningKeys: [impostor] })).rejects.toThrow(
    "SIGNING_KEY_PREVIOUS_JWKS: key cp-now has the current signing key's kid but another public key",
  );
  await expect(start(db, fresh.jwk, { previousSigningKeys: [{ kty: "OKP", crv: "Ed25519", x: "not-a-key", kid: "cp-bad" }] })).rejects.toThrow(
    "SIGNING_KEY_PREVIOUS_JWKS: key cp-bad is not a valid Ed25519 public key",
  );
}, 60_000);
