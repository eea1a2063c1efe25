/**
 * A kill switch on a key, or revokeKey on it, ends every secret of its lineage: after a rotation the
 * old secret is the same key in its grace (default 24 h, up to 720 h), so "rotate, then break glass
 * when the abuse goes on" must not leave the leaked secret published active in every region. Revoking
 * a rotated-away id ends only that secret (ending its grace early); the audit row names the ids ended.
 */
import { beforeAll, expect, test } from "bun:test";
import { hashSecret } from "../../shared/ids.ts";
import { JWKS_PATH, SNAPSHOT_PATH_PREFIX } from "../../shared/internal-api.ts";
import { importTrustedKeys, verifySnapshot } from "../../shared/snapshot/verify.ts";
import { seedConfig, type Seeded } from "../testing/seed.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";

const t = useTestControlPlane();
let s: Seeded;
let sql: ReturnType<typeof t.openSql>;
beforeAll(async () => {
  s = await seedConfig(t.admin);
  sql = t.openSql();
});

interface Secret {
  id: string;
  secret: string;
}

async function euKeys() {
  const response = await fetch(new URL(SNAPSHOT_PATH_PREFIX + "eu", t.cp.url), { headers: { authorization: `Bearer ${s.euToken}` } });
  const jwks = await (await fetch(new URL(JWKS_PATH, t.cp.url))).json();
  const verdict = await verifySnapshot(await response.text(), await importTrustedKeys(jwks), "eu");
  if (!verdict.ok) throw new Error(verdict.reason);
  return verdict.snapshot.keys;
}
const liveInEu = async (...secrets: Secret[]) => {
  const keys = await euKeys();
  return secrets.filter((k) => keys[hashSecret(k.secret)]?.status === "active").map((k) => k.id);
};

async function createKey(name: string): Promise<Secret> {
  const { createKey } = await t.admin.request<any>(`mutation($i: CreateKeyInput!) { createKey(input: $i) { key { id } secret } }`, { i: { tenantId: s.tenantId, name } });
  return { id: createKey.key.id, secret: createKey.secret };
}
async function rotate(key: Secret, graceHours = 24): Promise<Secret> {
  const { rotateKey } = await t.admin.request<any>(`mutation($i: RotateKeyInput!) { rotateKey(input: $i) { key { id } secret } }`, { i: { id: key.id, graceHours } });
  return { id: rotateKey.key.id, secret: rotateKey.secret };
}
const kill = (id: string) => t.admin.request<any>(`mutation($t: KillSwitchTarget!) { killSwitch(target: $t, reason: "abuse") { affected } }`, { t: { kind: "key", id } });
const revoke = (id: string) => t.admin.request<any>(`mutation($id: ID!) { revokeKey(id: $id) { id status } }`, { id });
const statuses = async (...keys: Secret[]) => {
  const rows = await sql<{ id: string; status: string }[]>`select id, status from gateway_keys where id in ${sql(keys.map((k) => k.id))}`;
  return Object.fromEntries(keys.map((k) => [k.id, rows.find((r) => r.id === k.id)?.status]));
};
const lastAudit = async (action: string) =>
  (await sql<{ target: string; after: Record<string, unknown> }[]>`select target, after from audit_log where action = ${action} order by id desc limit 1`)[0]!;

test("a kill switch on the new id of a rotated key leaves no secret of it in the snapshot", async () => {
  const old = await createKey("kill new");
  const current = await rotate(old);
  expect(await liveInEu(old, current)).toEqual([old.id, current.id]);
  const { killSwitch } = await kill(current.id);
  expect(await liveInEu(old, current)).toEqual([]);
  expect(await statuses(old, current)).toEqual({ [old.id]: "revoked", [current.id]: "revoked" });
  expect(killSwitch.affected).toBe(2);
  const row = await lastAudit("killswitch.key");
  expect(row.target).toBe(current.id);
  expect(row.after.revokedKeyIds).toEqual([old.id, current.id].sort());
});

test("a kill switch on the rotated-away id ends the new secret too: the lineage is one key", async () => {
  const first = await createKey("kill old");
  const second = await rotate(first);
  const third = await rotate(second, 720);
  await kill(first.id);
  expect(await liveInEu(first, second, third)).toEqual([]);
  expect((await lastAudit("killswitch.key")).after.revokedKeyIds).toHaveLength(3);
});

test("revokeKey on the current id ends every secret of the lineage, and says which", async () => {
  const old = await createKey("revoke current");
  const current = await rotate(old);
  const { revokeKey } = await revoke(current.id);
  expect(revokeKey).toEqual({ id: current.id, status: "revoked" });
  expect(await liveInEu(old, current)).toEqual([]);
  const row = await lastAudit("key.revoke");
  expect(row.target).toBe(current.id);
  expect(row.after.revokedKeyIds).toEqual([old.id, current.id].sort());
});

test("revokeKey on a rotated-away id ends only that secret: the grace ends early, the key goes on", async () => {
  const old = await createKey("end grace");
  const current = await rotate(old);
  await revoke(old.id);
  expect(await liveInEu(old, current)).toEqual([current.id]);
  expect(await statuses(old, current)).toEqual({ [old.id]: "revoked", [current.id]: "active" });
  expect((await lastAudit("key.revoke")).after.revokedKeyIds).toEqual([old.id]);
});

test("a secret whose grace already ended is not counted as ended again", async () => {
  const old = await createKey("grace over");
  const current = await rotate(old, 0);
  const { killSwitch } = await kill(current.id);
  expect(killSwitch.affected).toBe(1);
  expect((await lastAudit("killswitch.key")).after.revokedKeyIds).toEqual([current.id]);
  expect(await statuses(old, current)).toEqual({ [old.id]: "active", [current.id]: "revoked" });
});

test("a key never rotated is revoked as before, and revoking it again changes nothing", async () => {
  const key = await createKey("plain");
  await revoke(key.id);
  expect(await liveInEu(key)).toEqual([]);
  expect((await lastAudit("key.revoke")).after.revokedKeyIds).toEqual([key.id]);
  const { revokeKey } = await revoke(key.id);
  expect(revokeKey.status).toBe("revoked");
  expect((await lastAudit("key.revoke")).after.revokedKeyIds).toEqual([]);
});

/** What migration 0101_key_lineage.sql left for a chain rotated before it: each row its own lineage. */
const asRotatedBefore0101 = (...keys: Secret[]) => sql`update gateway_keys set lineage_id = id where id in ${sql(keys.map((k) => k.id))}`;

test("a key rotated before migration 0101 (each row its own lineage_id): a kill switch on the new id ends the old secret, through rotated_to", async () => {
  const old = await createKey("pre-0101 rotation");
  const current = await rotate(old, 720);
  await asRotatedBefore0101(old, current);
  const { killSwitch } = await kill(current.id);
  expect(await liveInEu(old, current)).toEqual([]);
  expect(killSwitch.affected).toBe(2);
  expect((await lastAudit("killswitch.key")).after.revokedKeyIds).toEqual([old.id, current.id].sort());
});

test("a chain rotated before 0101 and again after it: a kill on any id, and revokeKey on the current one, end all three", async () => {
  for (const named of ["first", "second", "third", "revoke third"] as const) {
    const first = await createKey(`pre-0101 chain, ${named}`);
    const second = await rotate(first, 720);
    await asRotatedBefore0101(first, second);
    // Rotated after the upgrade: the third joins the second's lineage, the first only through rotated_to.
    const third = await rotate(second, 720);
    const chain = { first, second, third, "revoke third": third };
    if (named === "revoke third") await revoke(third.id);
    else await kill(chain[named].id);
    expect(await liveInEu(first, second, third), named).toEqual([]);
  }
});

test("a kill switch naming a rotated-away id whose grace is over leaves it as it reads (expired) and counts only the live secret", async () => {
  const old = await createKey("named, grace over");
  const current = await rotate(old, 0);
  const { killSwitch } = await kill(old.id);
  expect(killSwitch.affected).toBe(1);
  expect((await lastAudit("killswitch.key")).after.revokedKeyIds).toEqual([current.id]);
  expect(await statuses(old, current)).toEqual({ [old.id]: "active", [current.id]: "revoked" });
  // revokeKey on it likewise revokes nothing: the secret is dead already.
  const { revokeKey } = await revoke(old.id);
  expect(revokeKey).toEqual({ id: old.id, status: "expired" });
  expect((await lastAudit("key.revoke")).after.revokedKeyIds).toEqual([]);
});

test("rotateKey racing a kill switch leaves no active secret in a killed lineage", async () => {
  for (let i = 0; i < 10; i++) {
    const key = await createKey(`race ${i}`);
    const [rotated, killed] = await Promise.allSettled([rotate(key), kill(key.id)]);
    if (killed.status !== "fulfilled") continue;
    const lineage = await sql<{ id: string; status: string }[]>`select id, status from gateway_keys where lineage_id = ${key.id}`;
    expect(lineage.filter((row) => row.status === "active").map((row) => row.id), `round ${i}, rotate ${rotated.status}`).toEqual([]);
  }
}, 60_000);
