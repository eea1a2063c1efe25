/**
 * A key scoped to some regions publishes that list in the snapshots that carry it, so a proxy refusing
 * its tenant for residency never sends it to a region whose snapshot lacks it (review rk K3). A key on
 * every region publishes none, so its bytes are as they were; a proxy reads a key without the field
 * (any older control plane's) as valid everywhere, and refuses a malformed list.
 */
import { expect, test } from "bun:test";
import { parseSnapshot } from "../../shared/snapshot/schema.ts";
import { compileSnapshot, type ConfigRows } from "./compile-snapshot.ts";

const key = (id: string, allowedRegions: string[] | null): ConfigRows["keys"][number] => ({
  id,
  tenantId: "ten_a",
  name: "k",
  keyHash: `h_${id}`,
  status: "active",
  expiresAt: null,
  allowedAliases: null,
  allowedRegions,
});
const rows: ConfigRows = { tenants: [{ id: "ten_a", name: "acme", status: "active" }], keys: [key("key_all", null), key("key_us", ["us"])], deployments: [], aliases: [], prices: [] };

test("a region-scoped key publishes its regions where it is published; a key on every region publishes none", () => {
  const us = compileSnapshot(rows, "us", 1);
  expect(us.keys.h_key_us?.allowedRegions).toEqual(["us"]);
  expect(us.keys.h_key_all).not.toHaveProperty("allowedRegions");
  expect(compileSnapshot(rows, "eu", 1).keys.h_key_us).toBeUndefined();
  expect(parseSnapshot(JSON.parse(JSON.stringify(us))).ok).toBe(true);
});

test("a proxy accepts a key without allowedRegions or with null, and refuses a malformed list", () => {
  const us = JSON.parse(JSON.stringify(compileSnapshot(rows, "us", 1)));
  us.keys.h_key_us.allowedRegions = null;
  expect(parseSnapshot(us).ok).toBe(true);
  delete us.keys.h_key_us.allowedRegions;
  expect(parseSnapshot(us).ok).toBe(true);
  us.keys.h_key_us.allowedRegions = "us";
  expect(parseSnapshot(us)).toMatchObject({ ok: false, reason: expect.stringContaining("allowedRegions") });
  us.keys.h_key_us.allowedRegions = ["us", 3];
  expect(parseSnapshot(us).ok).toBe(false);
});
