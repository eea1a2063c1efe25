/**
 * A cursor names the list it came from (review rj J5): one list's cursor given to another was taken as
 * a position in it and answered an empty page (or a wrong one), so a script walking keys with a
 * tenants cursor ended silently. Now `after` from another list is BAD_USER_INPUT naming both.
 */
import { beforeAll, expect, test } from "bun:test";
import { errorCode } from "../testing/principals.ts";
import { seedConfig, type Seeded } from "../testing/seed.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";
import { decodeCursor, encodeCursor } from "./page.ts";

const t = useTestControlPlane();
let s: Seeded;
beforeAll(async () => {
  s = await seedConfig(t.admin);
  await t.admin.request(`mutation { createTenant(input: { name: "beta" }) { id } }`);
});

test("a cursor from another list is refused with BAD_USER_INPUT, not an empty page", async () => {
  const page = await t.admin.request<any>(`{ tenants(first: 1) { nextCursor } }`);
  const cursor = page.tenants.nextCursor as string;
  expect(decodeCursor(cursor)?.list).toBe("tenants");
  const keys = t.admin.request(`query($t: ID!, $c: String) { keys(tenantId: $t, after: $c) { items { id } } }`, { t: s.tenantId, c: cursor });
  expect(await errorCode(keys)).toBe("BAD_USER_INPUT");
  await expect(t.admin.request(`query($c: String) { deployments(after: $c) { items { id } } }`, { c: cursor })).rejects.toThrow("after: is a cursor of tenants, not of deployments");
  // The list's own cursor still pages on.
  const next = await t.admin.request<any>(`query($c: String) { tenants(first: 1, after: $c) { items { id } } }`, { c: cursor });
  expect(next.tenants.items.length).toBe(1);
});

test("every paged list takes its own cursor and refuses another's", async () => {
  const lists: [string, string][] = [
    ["tenants", `query($c: String) { tenants(after: $c) { nextCursor } }`],
    ["keys", `query($c: String) { keys(tenantId: "${"TENANT"}", after: $c) { nextCursor } }`],
    ["deployments", `query($c: String) { deployments(after: $c) { nextCursor } }`],
    ["aliases", `query($c: String) { aliases(after: $c) { nextCursor } }`],
    ["prices", `query($c: String) { prices(after: $c) { nextCursor } }`],
    ["regions", `query($c: String) { regions(after: $c) { nextCursor } }`],
    ["auditLog", `query($c: String) { auditLog(after: $c) { nextCursor } }`],
    ["changeRequests", `query($c: String) { changeRequests(after: $c) { nextCursor } }`],
    ["principals", `query($c: String) { principals(after: $c) { nextCursor } }`],
  ];
  for (const [list, query] of lists) {
    const q = query.replace("TENANT", s.tenantId);
    // auditLog's keys are row numbers.
    const key = list === "auditLog" ? "1" : "zzzz";
    const own = encodeCursor(list, key);
    const other = encodeCursor(list === "tenants" ? "keys" : "tenants", key);
    expect([list, await t.admin.request(q, { c: own }).then(() => "ok")]).toEqual([list, "ok"]);
    expect([list, await errorCode(t.admin.request(q, { c: other }))]).toEqual([list, "BAD_USER_INPUT"]);
  }
});
