import { expect, test } from "bun:test";
import { SPEND_READERS, TENANT_READERS } from "./field-policy.ts";
import { seesAllTenants, type GlobalRole, type Principal } from "./principal.ts";

const principal = (roles: GlobalRole[], tenantRoots: string[] = []): Principal => ({ id: "prn_x", bootstrap: false, roles: new Set(roles), tenantRoots, jti: null });

test("seesAllTenants: only a global role the field grants reaches every tenant; tenant_admin never does", () => {
  for (const role of ["viewer", "approver"] as const) {
    expect(seesAllTenants(principal([role], ["ten_team"]), SPEND_READERS)).toBe(false);
    expect(seesAllTenants(principal([role], ["ten_team"]), TENANT_READERS)).toBe(true);
  }
  for (const role of ["admin", "finance"] as const) expect(seesAllTenants(principal([role]), SPEND_READERS)).toBe(true);
  expect(seesAllTenants(principal([], ["ten_team"]), SPEND_READERS)).toBe(false);
  expect(seesAllTenants(principal([]), TENANT_READERS)).toBe(false);
});
