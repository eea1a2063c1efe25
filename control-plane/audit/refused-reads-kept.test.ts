/**
 * Throttling refused reads loses none of them (final read of 41a1892): the reads held back were written
 * only if the same principal was refused a read again more than a minute later (a refused mutation did
 * not carry them), an operation's row named one field and target, and a row that could not be written
 * (BUSY on the config lock) dropped the count it carried. So a decoy refused read followed within the
 * minute by a burst of cross-tenant probes left only the decoy in the log. Now each operation's row
 * names every refused field and target, the reads held back are written as one summary row at the end
 * of the principal's minute (here at once, as its timer would: flushHeldRefusedReadsNow), and a row
 * that fails puts its reads back for the next summary.
 */
import { beforeAll, expect, test } from "bun:test";
import { adminClient } from "../../infra/local/admin-client.ts";
import { addTenant } from "../testing/add-tenant.ts";
import { flushUntil } from "../testing/flush-until.ts";
import { holdConfigLock } from "../testing/hold-config-lock.ts";
import { holdInSession } from "../testing/hold-tenant-row.ts";
import { principalWith } from "../testing/principals.ts";
import { startTestControlPlane, useTestControlPlane } from "../testing/test-control-plane.ts";
import { flushHeldRefusedReadsNow } from "./refused-read-throttle.ts";

const t = useTestControlPlane({ configLockTimeoutMs: 500 });
let teamId: string;
let sql: ReturnType<typeof t.openSql>;
beforeAll(async () => {
  sql = t.openSql();
  const org = await addTenant(t.admin, "org");
  teamId = await addTenant(t.admin, "team", org);
});

const rowsBy = async (actor: string) =>
  [...(await sql<{ action: string; target: string; after: Record<string, any> }[]>`select action, target, after from audit_log where actor = ${actor} order by id`)];

test("the probes made after a decoy, within its minute, are in the summary row by target, a refused mutation between them", async () => {
  const team = await principalWith(t.admin, t.cp.url, "decoy", [{ role: "tenant_admin", tenantId: teamId }]);
  await team.client.request(`{ tenant(id: "ten_decoy") { id } }`).catch(() => {});
  await team.client.request(`{ a: tenant(id: "ten_victim1") { id } b: tenant(id: "ten_victim2") { id } c: tenant(id: "ten_victim3") { id } }`).catch(() => {});
  await team.client.request(`mutation { createTenant(input: { name: "x" }) { id } }`).catch(() => {});
  expect((await rowsBy(team.id)).map((r) => r.action)).toEqual(["refused.tenant", "refused.createTenant"]);
  // The victims' fields may be refused after their operation answered (tenant is non-null): all held.
  const rows = await flushUntil(() => rowsBy(team.id), (rows) => rows.filter((r) => r.action === "refused.reads").reduce((n, r) => n + r.after.suppressed.count, 0) >= 3);
  expect(rows[0]).toMatchObject({ action: "refused.tenant", target: "ten_decoy" });
  const summaries = rows.filter((r) => r.action === "refused.reads");
  expect(summaries.reduce((n, r) => n + r.after.suppressed.count, 0)).toBe(3);
  expect(summaries.flatMap((r) => r.after.suppressed.targets).sort()).toEqual(["ten_victim1", "ten_victim2", "ten_victim3"]);
  expect(summaries[0]!.after.suppressed.fields).toEqual({ tenant: summaries[0]!.after.suppressed.count });
}, 30_000);

test("an operation's row names every refused field with its target", async () => {
  // A principal with no role: every field refused by role before the answer, so all in the operation's row.
  const nobody = await principalWith(t.admin, t.cp.url, "every-field", []);
  await nobody.client.request(`{ a: tenant(id: "ten_v1") { id } b: tenant(id: "ten_v2") { id } deployments { items { id } } }`).catch(() => {});
  const [row, ...rest] = await rowsBy(nobody.id);
  expect(rest).toEqual([]);
  expect(row).toMatchObject({ action: "refused.tenant", target: "ten_v1" });
  expect(row!.after.refused).toEqual([
    { field: "tenant", target: "ten_v1", code: "FORBIDDEN" },
    { field: "tenant", target: "ten_v2", code: "FORBIDDEN" },
    { field: "deployments", target: "", code: "FORBIDDEN" },
  ]);
}, 30_000);

test("rows that cannot be written (BUSY on the config lock) put their reads back, and the next summary counts them", async () => {
  const nobody = await principalWith(t.admin, t.cp.url, "busy", []);
  await nobody.client.request(`{ deployments { items { id } } }`).catch(() => {});
  for (let i = 0; i < 4; i++) await nobody.client.request(`{ deployments { items { id } } }`).catch(() => {});
  expect(await rowsBy(nobody.id)).toHaveLength(1);
  const other = await principalWith(t.admin, t.cp.url, "busy-first", []);
  const release = await holdConfigLock(t.db.url);
  try {
    // The summary of the 4 held fails, and so does the first row of a principal refused meanwhile.
    await flushHeldRefusedReadsNow();
    await other.client.request(`{ aliases { items { name } } }`).catch(() => {});
    await release();
    expect(await rowsBy(nobody.id)).toHaveLength(1);
    expect(await rowsBy(other.id)).toHaveLength(0);
    await flushHeldRefusedReadsNow();
    expect((await rowsBy(nobody.id)).map((r) => [r.action, r.after.suppressed?.count])).toEqual([["refused.deployments", undefined], ["refused.reads", 4]]);
    expect((await rowsBy(other.id)).map((r) => [r.action, r.after.suppressed])).toEqual([["refused.reads", expect.objectContaining({ count: 1, fields: { aliases: 1 } })]]);
  } finally {
    await release().catch(() => {});
  }
}, 30_000);

test("probes behind a non-null root field that fails first (no audited refusal) are all held and summarized", async () => {
  // Final read fr-cp2: with no refused read noted when the operation answered, the operation was not
  // marked ended, so the probes refused after the answer gathered into a record never written: 0 rows.
  const team = await principalWith(t.admin, t.cp.url, "hider", [{ role: "tenant_admin", tenantId: teamId }]);
  const probes = Array.from({ length: 10 }, (_, i) => `p${i}: tenant(id: "ten_hidden${i}") { id }`).join(" ");
  // `first` is the caller's own tenant with a NUL: BAD_USER_INPUT at once (badArgumentsIn), not a refused read.
  const res = await fetch(`${t.cp.url}/graphql`, {
    method: "POST",
    headers: { authorization: `Bearer ${team.token}`, "content-type": "application/json" },
    body: JSON.stringify({ query: `query($bad: ID!) { first: tenant(id: $bad) { id } ${probes} }`, variables: { bad: `${teamId}\u0000` } }),
  });
  expect(((await res.json()) as { data: unknown }).data).toBeNull();
  const rows = await flushUntil(() => rowsBy(team.id), (rows) => rows.reduce((n, r) => n + (r.after.suppressed?.count ?? 0), 0) >= 10);
  expect(rows.map((r) => r.action)).toEqual(rows.map(() => "refused.reads"));
  expect(rows.flatMap((r) => r.after.suppressed.targets).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `ten_hidden${i}`));
}, 30_000);

test("a summary row per token: reads made with another token of the same principal are written under that token", async () => {
  // Final read fr-cp2: the summary named whichever token made the principal's last request, so a stolen
  // token's probes (or those of one an admin issued to act as it) were written under the owner's token.
  const p = await principalWith(t.admin, t.cp.url, "two-tokens", [{ role: "tenant_admin", tenantId: teamId }]);
  const { issueToken } = await t.admin.request<{ issueToken: { token: string; jti: string } }>(
    `mutation($i: IssueTokenInput!) { issueToken(input: $i) { token jti } }`, { i: { principalId: p.id, ttlSeconds: 600 } });
  const other = adminClient(t.cp.url, issueToken.token);
  await p.client.request(`{ tenant(id: "ten_decoy") { id } }`).catch(() => {}); // the minute's row, token A
  for (let i = 0; i < 5; i++) await other.request(`{ tenant(id: "ten_probe${i}") { id } }`).catch(() => {}); // token B
  await p.client.request(`{ tenant(id: "ten_last") { id } }`).catch(() => {}); // token A again, last
  type Row = { action: string; token_id: string | null; issued_by: string | null; after: any };
  const rows = await flushUntil(
    async () => [...(await sql<Row[]>`select action, token_id, issued_by, after from audit_log where actor = ${p.id} order by id`)],
    (rows) => rows.filter((r) => r.action === "refused.reads").reduce((n, r) => n + r.after.suppressed.count, 0) >= 6,
  );
  const summaries = rows.filter((r) => r.action === "refused.reads");
  const byToken = (jti: string) => summaries.filter((r) => r.token_id === jti).map((r) => r.after.suppressed);
  expect(byToken(issueToken.jti).reduce((n, x) => n + x.count, 0)).toBe(5);
  expect(byToken(issueToken.jti).flatMap((x) => x.targets).sort()).toEqual(["ten_probe0", "ten_probe1", "ten_probe2", "ten_probe3", "ten_probe4"]);
  // Token B was issued by the bootstrap admin, not by the principal itself: its issuer is named.
  expect(summaries.filter((r) => r.token_id === issueToken.jti).every((r) => r.issued_by !== null)).toBe(true);
  expect(byToken(p.jti).flatMap((x) => x.targets)).toEqual(["ten_last"]);
}, 30_000);

test("a graceful stop writes the reads still held", async () => {
  // A second control plane on the same database, stopped while it holds a principal's reads.
  const second = await startTestControlPlane({ databaseUrl: t.db.url, dataDir: t.dataDir });
  let stopped = false;
  try {
    const nobody = await principalWith(second.admin, second.cp.url, "stopped-holding", []);
    for (let i = 0; i < 3; i++) await nobody.client.request(`{ aliases { items { name } } }`).catch(() => {});
    expect(await rowsBy(nobody.id)).toHaveLength(1);
    await second.close();
    stopped = true;
    expect((await rowsBy(nobody.id)).map((r) => [r.action, r.after.suppressed?.count])).toEqual([["refused.aliases", undefined], ["refused.reads", 2]]);
  } finally {
    if (!stopped) await second.close();
  }
}, 30_000);

test("a stop while the minute's summary is being written (its timer fired) still writes it", async () => {
  const second = await startTestControlPlane({ databaseUrl: t.db.url, dataDir: t.dataDir, configLockTimeoutMs: 3000 });
  const nobody = await principalWith(second.admin, second.cp.url, "stop-racing-timer", []);
  for (let i = 0; i < 3; i++) await nobody.client.request(`{ aliases { items { name } } }`).catch(() => {});
  expect(await rowsBy(nobody.id)).toHaveLength(1);
  // The summary's write waits on the config lock (an admin change in progress) when the stop comes.
  const release = await holdConfigLock(t.db.url);
  const timerWrite = flushHeldRefusedReadsNow(); // as the end-of-minute timer would
  await waitForLockWaiters(1);
  const closing = second.close();
  await release();
  await closing;
  await timerWrite;
  expect((await rowsBy(nobody.id)).map((r) => [r.action, r.after.suppressed?.count])).toEqual([["refused.aliases", undefined], ["refused.reads", 2]]);
}, 30_000);

test("a refused read still running when the graceful stop begins is written before the database closes", async () => {
  // Final read fr-cp2: the stop wrote what was held and forgot the throttle; the late operation made a
  // new one on the closed pool, its write failed and its timer never fired: the read was lost.
  const second = await startTestControlPlane({ databaseUrl: t.db.url, dataDir: t.dataDir });
  const team = await principalWith(second.admin, second.cp.url, "in-flight-at-stop", [{ role: "tenant_admin", tenantId: teamId }]);
  await team.client.request(`{ tenant(id: "ten_first") { id } }`).catch(() => {}); // the minute's row
  expect(await rowsBy(team.id)).toHaveLength(1);
  // The next probe's scope lookup waits (another session holds the tenants table) while the stop begins.
  const release = await holdInSession(t.db.url, (tx) => tx`lock table tenants in access exclusive mode`);
  const probe = team.client.request(`{ tenant(id: "ten_in_flight") { id } }`).catch(() => {});
  await waitForLockWaiters(1);
  const closing = second.close();
  // Needed: the stop must be under way (past the server's and Apollo's stop) when the probe goes on.
  await Bun.sleep(300);
  await release();
  await closing;
  await probe;
  const rows = await rowsBy(team.id);
  expect(rows.flatMap((r) => r.after.suppressed?.targets ?? [r.target])).toEqual(["ten_first", "ten_in_flight"]);
}, 30_000);

/** Until `n` backends of the test database wait on a lock. */
async function waitForLockWaiters(n: number) {
  for (let waited = 0; waited < 5000; waited += 10) {
    const [row] = await sql<{ waiting: number }[]>`select count(*)::int as waiting from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`;
    if (row!.waiting >= n) return;
    await Bun.sleep(10);
  }
  throw new Error(`no ${n} backend(s) waiting on a lock`);
}
