/**
 * A proxy that predates lineageId (a rolling upgrade: control plane first) counts a rotated key's budget
 * under key:<its own id>, as every proxy did before a2803ba; the control plane answered that level
 * managed: false (no key has the new id as lineage), so for that proxy the key's cap stopped being
 * leased and each region could spend all of it (review FR2's repro). A key id that is no lineage is
 * now the level of its key's lineage: the same cap and the same leases, whichever id a proxy asks by.
 */
import { expect, test } from "bun:test";
import { useLeaseRegions } from "./lease-test-regions.ts";
import { serveLease } from "./serve-lease.ts";

const r = useLeaseRegions();
const CAP = 1_000_000;

/** Rotates `keyId`; the new key's id, checked to be of `lineageId`'s lineage. */
async function rotate(keyId: string, lineageId = keyId): Promise<string> {
  const { rotateKey } = await r.t.admin.request<any>(`mutation($i: RotateKeyInput!) { rotateKey(input: $i) { key { id lineageId } } }`, { i: { id: keyId, graceHours: 1 } });
  expect(rotateKey.key.lineageId).toBe(lineageId);
  return rotateKey.key.id as string;
}

test("a lease ask naming a rotated key by its own id is managed, on the lineage's level", async () => {
  const tenant = await r.tenant("rotated-own-scope", null);
  const keyId = await r.key(tenant, null, CAP);
  const newId = await rotate(keyId);
  const period = `day:${new Date().toISOString().slice(0, 10)}`;
  const byLineage = await serveLease(r.sql, "eu", { scope: `key:${keyId}`, period, spentMicros: 0, needMicros: 600_000 });
  expect(byLineage).toMatchObject({ scope: `key:${keyId}`, managed: true, capMicros: CAP, grantedMicros: 600_000 });
  // An older proxy in US asks by the new key's own id: answered under that scope, from the same budget.
  const byOwnId = await serveLease(r.sql, "us", { scope: `key:${newId}`, period, spentMicros: 0, needMicros: CAP });
  expect(byOwnId).toMatchObject({ scope: `key:${newId}`, managed: true, capMicros: CAP, grantedMicros: 400_000, exhausted: true });
  // EU asking by the new id too renews its own lease on the lineage's level.
  const euByOwnId = await serveLease(r.sql, "eu", { scope: `key:${newId}`, period, spentMicros: 0 });
  expect(euByOwnId).toMatchObject({ managed: true, grantedMicros: 600_000, exhausted: true });
  const leases = await r.sql<{ scope: string; region: string }[]>`select scope, region from budget_leases where scope in (${`key:${keyId}`}, ${`key:${newId}`}) order by region`;
  expect([...leases]).toEqual([
    { scope: `key:${keyId}`, region: "eu" },
    { scope: `key:${keyId}`, region: "us" },
  ]);
});

test("a key rotated twice: its middle id is the lineage's level too", async () => {
  const tenant = await r.tenant("rotated-twice", null);
  const keyId = await r.key(tenant, null, CAP);
  const middle = await rotate(keyId);
  await rotate(middle, keyId);
  const period = `day:${new Date().toISOString().slice(0, 10)}`;
  await serveLease(r.sql, "eu", { scope: `key:${keyId}`, period, spentMicros: 0, needMicros: 700_000 });
  expect(await serveLease(r.sql, "us", { scope: `key:${middle}`, period, spentMicros: 0, needMicros: CAP })).toMatchObject({ managed: true, grantedMicros: 300_000 });
});

test("an id that is no key is still unmanaged", async () => {
  const period = `day:${new Date().toISOString().slice(0, 10)}`;
  expect(await serveLease(r.sql, "eu", { scope: "key:key_nosuchkey", period, spentMicros: 0 })).toEqual({ scope: "key:key_nosuchkey", period, managed: false });
});
