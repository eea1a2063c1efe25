/**
 * Dead keys leave the snapshot: a revoked key, and a key rotated away whose grace has ended, are not
 * compiled into the next snapshot (each was ~360 bytes every proxy downloaded on every change, for
 * ever). A key still in its grace period, and the key it was rotated to, stay.
 */
import { beforeAll, expect, test } from "bun:test";
import { hashSecret } from "../../shared/ids.ts";
import { SNAPSHOT_PATH_PREFIX } from "../../shared/internal-api.ts";
import type { Snapshot } from "../../shared/snapshot/schema.ts";
import { seedConfig, type Seeded } from "../testing/seed.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";

const t = useTestControlPlane();
let s: Seeded;
beforeAll(async () => {
  s = await seedConfig(t.admin);
});

async function snapshotKeys(): Promise<Snapshot["keys"]> {
  const response = await fetch(new URL(SNAPSHOT_PATH_PREFIX + "eu", t.cp.url), { headers: { authorization: `Bearer ${s.euToken}` } });
  const jws = await response.text();
  return (JSON.parse(Buffer.from(jws.split(".")[1]!, "base64url").toString()) as Snapshot).keys;
}
const createKey = async (name: string) =>
  (await t.admin.request<any>(`mutation($i: CreateKeyInput!) { createKey(input: $i) { key { id } secret } }`, { i: { tenantId: s.tenantId, name } })).createKey as {
    key: { id: string };
    secret: string;
  };
const rotate = async (id: string, graceHours: number) =>
  (await t.admin.request<any>(`mutation($i: RotateKeyInput!) { rotateKey(input: $i) { secret } }`, { i: { id, graceHours } })).rotateKey.secret as string;

test("a revoked key is left out of the snapshot its revocation publishes", async () => {
  const revoked = await createKey("revoked");
  expect(await snapshotKeys()).toHaveProperty(hashSecret(revoked.secret));
  await t.admin.request(`mutation($id: ID!) { revokeKey(id: $id) { id } }`, { id: revoked.key.id });
  expect(await snapshotKeys()).not.toHaveProperty(hashSecret(revoked.secret));
});

test("a key rotated away is left out once its grace has ended, kept while it lasts", async () => {
  const ended = await createKey("grace ended");
  const endedSuccessor = await rotate(ended.key.id, 0);
  const lasting = await createKey("grace lasting");
  const lastingSuccessor = await rotate(lasting.key.id, 1);
  await createKey("a later change"); // compiled after the first grace ended (at the rotation itself)
  const keys = await snapshotKeys();
  expect(keys).not.toHaveProperty(hashSecret(ended.secret));
  expect(keys[hashSecret(endedSuccessor)]?.status).toBe("active");
  expect(keys[hashSecret(lasting.secret)]?.status).toBe("active");
  expect(keys[hashSecret(lastingSuccessor)]?.status).toBe("active");
  expect(keys[hashSecret(s.secret)]?.status).toBe("active");
});
