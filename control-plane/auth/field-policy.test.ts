import { expect, test } from "bun:test";
import { buildControlPlaneSchema } from "../graphql/build-schema.ts";
import { BOOTSTRAP_ONLY, FIELD_POLICY } from "./field-policy.ts";
import { ROLES } from "./principal.ts";

test("every root field has an access policy and every policy names a root field", async () => {
  const schema = await buildControlPlaneSchema();
  expect(Object.keys(FIELD_POLICY.Query).sort()).toEqual(Object.keys(schema.getQueryType()!.getFields()).sort());
  expect(Object.keys(FIELD_POLICY.Mutation).sort()).toEqual(Object.keys(schema.getMutationType()!.getFields()).sort());
  for (const table of Object.values(FIELD_POLICY)) {
    for (const policy of Object.values(table)) if (policy !== "anyone") for (const role of policy) expect(ROLES).toContain(role);
  }
  // Only the bootstrap/admin path writes global routing policy directly; everyone else proposes.
  for (const direct of ["createDeployment", "createAlias", "updateAlias", "setPrice", "createRegion", "updateRegion", "rotateRegionToken"]) expect(FIELD_POLICY.Mutation[direct]).toEqual(["admin"]);
  expect([...BOOTSTRAP_ONLY].sort()).toEqual(["createAlias", "createDeployment", "setPrice", "updateAlias"]);
  expect(FIELD_POLICY.Query.me).toBe("anyone");
  // Money is readable by the same roles wherever it shows.
  for (const field of ["budgetStatus", "limitStatus", "budgetAlerts"]) expect([field, FIELD_POLICY.Query[field]]).toEqual([field, FIELD_POLICY.Query.spend]);
  for (const role of ["viewer", "approver"] as const) expect(FIELD_POLICY.Query.spend).not.toContain(role);
  expect(Object.entries({ ...FIELD_POLICY.Query, ...FIELD_POLICY.Mutation }).filter(([, p]) => p === "anyone").map(([f]) => f)).toEqual(["me", "issueToken"]);
});
