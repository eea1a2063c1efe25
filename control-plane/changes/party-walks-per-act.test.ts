/**
 * Final read of 7ba4019 (cost under the config lock): who stands behind an act (actParties, one
 * recursive walk up) is read once per act per operation, not once per check. An approve asked
 * isAuthorsApproval, then approvalsThatCount and sameApproverAs, then validApprovals
 * (approvalsThatCount and onePerPerson), then, applying, the same again, each reading its acts
 * afresh: the last of four approvals walked 28 times for 5 acts (the author and four approvers), and
 * the ticker applying a scheduled request of four approvals 18 times for 5. Counted here on the
 * statements the control plane sends (`onQuery`); each approver was set up by the bootstrap admin, so
 * no two of the acts are one person and every act's parties are needed.
 */
import { beforeAll, expect, test } from "bun:test";
import type postgres from "postgres";
import { principalWith, type ActingPrincipal } from "../testing/principals.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";

/** actParties' walk, and no other `with recursive up`. */
const WALK = "with recursive up(kind, id, chain)";
const walks: string[] = [];
const t = useTestControlPlane({ requiredApprovals: 4, changeTickMs: 100, onQuery: (q) => void (q.includes(WALK) && walks.push(q)) });
let ann: ActingPrincipal; // the author
let approvers: ActingPrincipal[];
let db: postgres.Sql;
beforeAll(async () => {
  ann = await principalWith(t.admin, t.cp.url, "ann", [{ role: "approver" }]);
  approvers = [];
  for (const name of ["ben", "cas", "dan", "eve"]) approvers.push(await principalWith(t.admin, t.cp.url, name, [{ role: "approver" }]));
  db = t.openSql();
});

const propose = async (model: string, applyAt?: string) =>
  (
    await ann.client.request<{ proposeChange: { id: string } }>(`mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`, {
      i: { description: "t", applyAt, operations: [{ op: "price.set", price: { provider: "openai", model, inputUsdPerMillion: 1, outputUsdPerMillion: 2 } }] },
    })
  ).proposeChange.id;
const approve = async (who: ActingPrincipal, id: string) =>
  (await who.client.request<{ approveChange: { status: string } }>(`mutation($id: ID!) { approveChange(id: $id) { status } }`, { id })).approveChange.status;
const status = async (id: string) => (await db<{ status: string }[]>`select status from change_requests where id = ${id}`)[0]!.status;

/** Each approval in turn: its status, and the walks its approve made. */
async function approveAll(id: string): Promise<{ status: string; walks: number }[]> {
  const seen: { status: string; walks: number }[] = [];
  for (const who of approvers) {
    walks.length = 0;
    seen.push({ status: await approve(who, id), walks: walks.length });
  }
  return seen;
}

test("an approve walks each act's parties once: the author's, the earlier approvals' and its own, applying too", async () => {
  const id = await propose("walks-approve");
  expect(await approveAll(id)).toEqual([
    { status: "pending", walks: 2 },
    { status: "pending", walks: 3 },
    { status: "pending", walks: 4 },
    { status: "applied", walks: 5 },
  ]);
});

test("the ticker applying a scheduled request walks each act's parties once", async () => {
  const id = await propose("walks-scheduled", new Date(Date.now() + 3_600_000).toISOString());
  expect((await approveAll(id)).map((a) => a.status)).toEqual(["pending", "pending", "pending", "scheduled"]);
  walks.length = 0;
  await db`update change_requests set apply_at = now() where id = ${id}`;
  for (const deadline = Date.now() + 10_000; (await status(id)) === "scheduled" && Date.now() < deadline; ) await Bun.sleep(20);
  expect(await status(id)).toBe("applied");
  expect(walks.length).toBe(5);
});
