/**
 * An empty or blank deployment id in an alias chain is BAD_USER_INPUT naming deploymentIds, refused and
 * audited like any other bad input; before, "" slipped past the not-found check (falsy) and surfaced
 * as a foreign-key violation: INTERNAL_SERVER_ERROR, and no refused.<field> row.
 */
import { beforeAll, expect, test } from "bun:test";
import type postgres from "postgres";
import { seedConfig, type Seeded } from "../testing/seed.ts";
import { firstGraphQLError, useTestControlPlane } from "../testing/test-control-plane.ts";

const t = useTestControlPlane();
let seeded: Seeded;
let sql: postgres.Sql;
beforeAll(async () => {
  seeded = await seedConfig(t.admin);
  sql = t.openSql();
});

const refusals = async (action: string) =>
  (await sql`select count(*)::int as n from audit_log where action = ${action} and after->>'code' = 'BAD_USER_INPUT'`)[0]!.n;

for (const mutation of ["createAlias", "updateAlias"]) {
  test(`${mutation} with deploymentIds [""] or ["  "] is BAD_USER_INPUT naming the field, and audited`, async () => {
    const name = mutation === "createAlias" ? "fresh" : "chat";
    for (const [i, blank] of ["", "  "].entries()) {
      for (const deploymentIds of [[blank], [seeded.euDeploymentId, blank]]) {
        const refused = await firstGraphQLError(t.cp.url, t.adminToken, JSON.stringify({
          query: `mutation($i: AliasInput!) { ${mutation}(input: $i) { name } }`,
          variables: { i: { name, deploymentIds } },
        }));
        expect(refused).toMatchObject({ status: 200, code: "BAD_USER_INPUT" });
        expect(refused.message).toStartWith("deploymentIds: ");
      }
      expect(await refusals(`refused.${mutation}`)).toBe(2 * (i + 1));
    }
    // Nothing changed: "chat" keeps its chain, "fresh" does not exist.
    const { aliases } = await t.admin.request<{ aliases: { items: { name: string }[] } }>(`{ aliases { items { name } } }`);
    expect(aliases.items.map((a) => a.name)).toEqual(["chat"]);
  });
}
