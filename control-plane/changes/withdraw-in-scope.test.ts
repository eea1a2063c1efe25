/**
 * A tenant admin's withdrawal checks its scope on the withdrawal's own transaction. It used to ask the
 * pool for a second connection while its transaction held one and the config lock: on the embedded
 * control plane (PGlite, one connection; what `npm start` runs) a single withdrawal waited for itself
 * forever and every later query queued behind it; on PostgreSQL a dozen at once did the same.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { adminClient } from "../../infra/local/admin-client.ts";
import { startControlPlane } from "../main.ts";
import { addTenant } from "../testing/add-tenant.ts";
import { principalWith } from "../testing/principals.ts";

const dirs: string[] = [];
afterAll(() => Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true }))));

/** The answer, or "no answer" once `ms` has passed (a hung control plane must fail the test, not time it out). */
const within = <T>(request: Promise<T>, ms: number) =>
  Promise.race([request, Bun.sleep(ms).then(() => "no answer" as const)]);

test("on the embedded control plane a tenant admin withdraws its own proposal, and the control plane keeps answering", async () => {
  const dataDir = await mkdtemp(join(tmpdir(), "cp-withdraw-"));
  dirs.push(dataDir);
  const token = "admtok_withdraw_in_scope_0123456789";
  const cp = await startControlPlane({ port: 0, dataDir, adminToken: token, log: () => {} });
  try {
    const admin = adminClient(cp.url, token);
    const team = await addTenant(admin, "team");
    const teamAdmin = await principalWith(admin, cp.url, "team-admin", [{ role: "tenant_admin", tenantId: team }]);
    const { proposeChange } = await teamAdmin.client.request<{ proposeChange: { id: string } }>(
      `mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`,
      { i: { description: "lower the team's rpm", operations: [{ op: "tenant.policy", id: team, tenantPolicy: { rpm: 10 } }] } },
    );
    const withdrawn = await within(teamAdmin.client.request<{ withdrawChange: { status: string } }>(`mutation($id: ID!) { withdrawChange(id: $id) { status } }`, { id: proposeChange.id }), 10_000);
    expect(withdrawn).toEqual({ withdrawChange: { status: "withdrawn" } });
    const read = await within(admin.request<{ tenants: { items: { id: string }[] } }>(`{ tenants { items { id } } }`), 5_000);
    expect(read).not.toBe("no answer");
  } finally {
    await cp.stop();
  }
}, 60_000);
