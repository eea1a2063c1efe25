import { afterAll, beforeAll, expect, test } from "bun:test";
import postgres from "postgres";
import { hashSecret, isGatewayKeyFormat } from "../shared/ids.ts";
import { startTestControlPlane, type TestControlPlane } from "./testing/test-control-plane.ts";

let t: TestControlPlane;
beforeAll(async () => {
  t = await startTestControlPlane();
});
afterAll(async () => {
  await t.close();
});

const version = async () => (await t.admin.request<{ configVersion: number }>(`{ configVersion }`)).configVersion;

test("create tenant, region, deployment, alias, price and key through HTTP GraphQL", async () => {
  const v0 = await version();
  const { createTenant } = await t.admin.request<any>(`mutation { createTenant(input: { name: "acme" }) { id name status createdAt } }`);
  expect(createTenant.id).toMatch(/^ten_/);
  expect(createTenant.status).toBe("active");
  const v1 = await version();
  expect(v1).toBeGreaterThan(v0);

  const { createRegion } = await t.admin.request<any>(`mutation { createRegion(input: { name: "eu-west" }) { region { name snapshotVersion } token } }`);
  expect(createRegion.token).toMatch(/^regtok_/);
  expect(createRegion.region.snapshotVersion).toBe(await version());

  const { createDeployment } = await t.admin.request<any>(
    `mutation($i: CreateDeploymentInput!) { createDeployment(input: $i) { id provider baseUrl model region credentialRef } }`,
    { i: { provider: "openai", baseUrl: "https://api.openai.com/v1", model: "gpt-4o-mini", region: "eu-west", credentialRef: "env:OPENAI_KEY" } },
  );
  expect(createDeployment.id).toMatch(/^dep_/);

  // Priced before an alias routes to it (an alias may not route to an unpriced model).
  const { setPrice } = await t.admin.request<any>(
    `mutation { setPrice(input: { provider: "openai", model: "gpt-4o-mini", inputUsdPerMillion: 0.15, outputUsdPerMillion: 0.6 }) {
      provider model inputUsdPerMillion outputUsdPerMillion cachedInputUsdPerMillion } }`,
  );
  expect(setPrice).toEqual({ provider: "openai", model: "gpt-4o-mini", inputUsdPerMillion: 0.15, outputUsdPerMillion: 0.6, cachedInputUsdPerMillion: null });

  const { createAlias } = await t.admin.request<any>(
    `mutation($i: AliasInput!) { createAlias(input: $i) { name deploymentIds deployments { id model } } }`,
    { i: { name: "chat-small", deploymentIds: [createDeployment.id] } },
  );
  expect(createAlias.deployments).toEqual([{ id: createDeployment.id, model: "gpt-4o-mini" }]);

  const before = await version();
  const { createKey } = await t.admin.request<any>(
    `mutation($i: CreateKeyInput!) { createKey(input: $i) { secret key { id tenantId name prefix status allowedAliases expiresAt } } }`,
    { i: { tenantId: createTenant.id, name: "backend", allowedAliases: ["chat-small"] } },
  );
  expect(isGatewayKeyFormat(createKey.secret)).toBe(true);
  expect(createKey.key).toMatchObject({ tenantId: createTenant.id, name: "backend", status: "active", allowedAliases: ["chat-small"] });
  // Every key expires: 90 days by default.
  const ttlDays = (Date.parse(createKey.key.expiresAt) - Date.now()) / 86_400_000;
  expect(ttlDays).toBeGreaterThan(89.9);
  expect(ttlDays).toBeLessThanOrEqual(90);
  expect(createKey.secret.startsWith(createKey.key.prefix)).toBe(true);
  expect(await version()).toBe(before + 1);

  const { keys } = await t.admin.request<any>(`query($t: ID!) { keys(tenantId: $t) { items { id prefix status } } }`, { t: createTenant.id });
  expect(keys.items).toEqual([{ id: createKey.key.id, prefix: createKey.key.prefix, status: "active" }]);
  expect(JSON.stringify(keys)).not.toContain(createKey.secret);

  // The database holds the hash and the display prefix, never the secret.
  const sql = postgres(t.db.url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql`select * from gateway_keys where id = ${createKey.key.id}`;
    expect(row!.key_hash).toBe(hashSecret(createKey.secret));
    expect(JSON.stringify(row)).not.toContain(createKey.secret);
    const [dump] = await sql`select string_agg(t::text, ' ') as all from gateway_keys t`;
    expect(dump!.all).not.toContain(createKey.secret);
  } finally {
    await sql.end();
  }

  const listed = await t.admin.request<any>(`{ tenants { items { id } } deployments { items { id } } aliases { items { name } } prices { items { model } } regions { items { name } } }`);
  expect(listed.tenants.items).toEqual([{ id: createTenant.id }]);
  expect(listed.aliases.items).toEqual([{ name: "chat-small" }]);
  expect(listed.regions.items).toEqual([{ name: "eu-west" }]);

  const { revokeKey } = await t.admin.request<any>(`mutation($id: ID!) { revokeKey(id: $id) { status revokedAt } }`, { id: createKey.key.id });
  expect(revokeKey.status).toBe("revoked");
  expect(typeof revokeKey.revokedAt).toBe("string");
});

test("updateAlias replaces the chain in order", async () => {
  const dep = async (model: string) =>
    (await t.admin.request<any>(`mutation($i: CreateDeploymentInput!) { createDeployment(input: $i) { id } }`, {
      i: { provider: "openai", baseUrl: "http://127.0.0.1:9/v1", model, region: "eu-west", credentialRef: "env:K" },
    })).createDeployment.id as string;
  const a = await dep("a");
  const b = await dep("b");
  for (const model of ["a", "b"]) await t.admin.request(`mutation($m: String!) { setPrice(input: { provider: "openai", model: $m, inputUsdPerMillion: 1, outputUsdPerMillion: 1 }) { model } }`, { m: model });
  await t.admin.request(`mutation($i: AliasInput!) { createAlias(input: $i) { name } }`, { i: { name: "fallback", deploymentIds: [a] } });
  const { updateAlias } = await t.admin.request<any>(`mutation($i: AliasInput!) { updateAlias(input: $i) { deploymentIds } }`, {
    i: { name: "fallback", deploymentIds: [b, a] },
  });
  expect(updateAlias.deploymentIds).toEqual([b, a]);
});

test("every change is in the audit chain, linked by hashes", async () => {
  const sql = postgres(t.db.url, { max: 1, onnotice: () => {} });
  try {
    const rows = await sql<{ action: string; prev_hash: string; hash: string }[]>`select action, prev_hash, hash from audit_log order by id`;
    expect(rows.map((r) => r.action)).toContain("key.create");
    for (let i = 1; i < rows.length; i++) expect(rows[i]!.prev_hash).toBe(rows[i - 1]!.hash);
    const [{ count }] = (await sql`select count(*)::int as count from config_versions`) as any;
    expect(count).toBe(rows.length);
  } finally {
    await sql.end();
  }
});
