/**
 * A rotated key's snapshot entry names its lineage (the proxy counts its key level under
 * `key:<lineageId>`, shared with the key it replaced); a key that is its own lineage publishes none, so
 * snapshots of keys never rotated are as they were.
 */
import { expect, test } from "bun:test";
import { parseSnapshot } from "../../shared/snapshot/schema.ts";
import { compileSnapshot, type ConfigRows } from "./compile-snapshot.ts";

const key = (id: string, lineageId: string): ConfigRows["keys"][number] => ({ id, tenantId: "ten_a", name: "k", keyHash: `h_${id}`, status: "active", expiresAt: null, allowedAliases: null, lineageId });

test("a rotated key names its lineage; a key that is its own lineage publishes none", () => {
  const rows: ConfigRows = { tenants: [{ id: "ten_a", name: "acme", status: "active" }], keys: [key("key_1", "key_1"), key("key_2", "key_1")], deployments: [], aliases: [], prices: [] };
  const s = compileSnapshot(rows, "eu", 1);
  expect(s.keys.h_key_1).not.toHaveProperty("lineageId");
  expect(s.keys.h_key_2?.lineageId).toBe("key_1");
  expect(parseSnapshot(JSON.parse(JSON.stringify(s))).ok).toBe(true);
});
