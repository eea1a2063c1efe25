/**
 * rejectChange keeps at most 1,000 characters of its reason on the request, and its audit row keeps the
 * same cut text: the append-only log, read by every viewer and recomputed whole by verifyAuditChain,
 * holds what the request holds, not the megabyte sent.
 */
import { beforeAll, expect, test } from "bun:test";
import type postgres from "postgres";
import { proposeChangeAs } from "../testing/change-requests.ts";
import { twoApprovers } from "../testing/principals.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";

const t = useTestControlPlane();
let sql: postgres.Sql;
beforeAll(() => {
  sql = t.openSql();
});

test("a rejection's 900,000-character reason is cut to 1,000 on the request and in its audit row alike", async () => {
  const { ann, ben } = await twoApprovers(t.admin, t.cp.url);
  const price = { op: "price.set", price: { provider: "openai", model: "cut-model", inputUsdPerMillion: 1, outputUsdPerMillion: 1 } };
  const id = await proposeChangeAs(ann.client, [price]);
  const { rejectChange } = await ben.client.request<{ rejectChange: { reason: string } }>(`mutation($id: ID!, $r: String) { rejectChange(id: $id, reason: $r) { reason } }`, {
    id,
    r: "r".repeat(900_000),
  });
  expect(rejectChange.reason).toBe("r".repeat(1000));
  const [row] = await sql<{ reason: string }[]>`select after->>'reason' as reason from audit_log where action = 'change.reject' and target = ${id}`;
  expect(row!.reason).toBe(rejectChange.reason);
});
