/**
 * checkMayIssueFor decides from the caller's Principal alone (its roles and kind come with its token):
 * a person issues for itself, admin for others, a service only for itself and with admin; a Principal
 * without its kind (one authenticate did not build) is refused rather than taken for a person.
 */
import { expect, test } from "bun:test";
import type { GlobalRole, Principal } from "./principal.ts";
import { checkMayIssueFor } from "./who-may-issue.ts";

const caller = (kind: string | undefined, roles: GlobalRole[] = []): Principal => ({ id: "prn_a", bootstrap: false, roles: new Set(roles), tenantRoots: [], jti: "jti_a", kind });
const refusal = (who: Principal, principalId: string) => {
  try {
    checkMayIssueFor(who, principalId);
    return null;
  } catch (error) {
    return (error as { extensions?: { code?: string } }).extensions?.code ?? String(error);
  }
};

test("a person for itself; admin for another; a service only for itself and with admin", () => {
  expect(refusal(caller("person"), "prn_a")).toBeNull();
  expect(refusal(caller("person"), "prn_b")).toBe("FORBIDDEN");
  expect(refusal(caller("person", ["admin"]), "prn_b")).toBeNull();
  expect(refusal(caller("service"), "prn_a")).toBe("FORBIDDEN");
  expect(refusal(caller("service", ["admin"]), "prn_a")).toBeNull();
  expect(refusal(caller("service", ["admin"]), "prn_b")).toBe("FORBIDDEN");
  expect(refusal({ ...caller(undefined), bootstrap: true, jti: null }, "prn_b")).toBeNull();
});

test("a caller whose kind was not read with its token is refused, not taken for a person", () => {
  expect(refusal(caller(undefined), "prn_a")).toBe("FORBIDDEN");
});
