/**
 * A person renewing its own token renewed it forever, so a leaked token lived until someone revoked it.
 * Now a chain of renewals has an end, as a Vault token's explicit max TTL: its lineage starts when
 * someone else (an admin, the bootstrap token) issues the person a token, and a token the person
 * issues itself expires at the latest ADMIN_JWT_MAX_LINEAGE_HOURS after that (768 h by default).
 * A renewal reaching past that end is clamped to it; once it has passed, renewal is refused. Two
 * control planes share one database here: `t` allows a 2 h lineage, `short` 1 h (a maximum lowered at
 * a restart applies to the lineages already running). Two admins can start each other new lineages,
 * left open (GOVERNANCE.md): revoking the token the bounce started from revokes it all.
 */
import { afterAll, afterEach, beforeAll, expect, setSystemTime, test } from "bun:test";
import { adminClient, type AdminClient } from "../../infra/local/admin-client.ts";
import { errorCode, principalWith, type ActingPrincipal } from "../testing/principals.ts";
import { startTestControlPlane, useTestControlPlane, type TestControlPlane } from "../testing/test-control-plane.ts";

let short: TestControlPlane;
// Registered first: runs before `t` drops the database both use.
afterAll(async () => {
  await short?.close();
});
const t = useTestControlPlane({ adminJwtMaxLineageHours: 2 });
beforeAll(async () => {
  short = await startTestControlPlane({ databaseUrl: t.db.url, dataDir: t.dataDir, adminToken: t.adminToken, adminJwtMaxLineageHours: 1 });
});
afterEach(() => setSystemTime());

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
interface Issued {
  token: string;
  jti: string;
  expiresAt: string;
}
const issue = async (by: AdminClient, principalId: string): Promise<Issued> =>
  (await by.request<{ issueToken: Issued }>(`mutation($i: IssueTokenInput!) { issueToken(input: $i) { token jti expiresAt } }`, { i: { principalId, ttlSeconds: 3600 } })).issueToken;
/** `p` issues its next token with its current one, on `url` (t's by default). */
async function renewed(p: ActingPrincipal, url = t.cp.url): Promise<ActingPrincipal & { expiresAt: number }> {
  const next = await issue(adminClient(url, p.token), p.id);
  return { id: p.id, token: next.token, jti: next.jti, client: adminClient(t.cp.url, next.token), expiresAt: Date.parse(next.expiresAt) };
}
const lineageStartOf = async (jti: string) =>
  (await t.openSql()<{ startedAt: Date }[]>`select lineage_started_at as "startedAt" from issued_tokens where jti = ${jti}`)[0]!.startedAt.getTime();
/** A JWT's expiry is whole seconds. */
const wholeSeconds = (ms: number) => Math.floor(ms / 1000) * 1000;
const at = (ms: number) => setSystemTime(new Date(ms));

test("a renewal reaching past its lineage's end expires at that end, audited as token.issue; the chain ends with it", async () => {
  const start = Date.now();
  at(start);
  const cal = await principalWith(t.admin, t.cp.url, "cal", [{ role: "viewer" }], 3600);
  // The bootstrap issued cal's first token: its lineage starts there.
  expect(await lineageStartOf(cal.jti)).toBe(start);
  const end = start + 2 * HOUR;
  at(start + 50 * MINUTE);
  const first = await renewed(cal);
  expect(first.expiresAt).toBe(wholeSeconds(start + 50 * MINUTE) + HOUR);
  expect(await lineageStartOf(first.jti)).toBe(start);
  at(start + 100 * MINUTE);
  const last = await renewed(first);
  expect(last.expiresAt).toBe(wholeSeconds(end));
  expect(await lineageStartOf(last.jti)).toBe(start);
  const audit = await t.openSql()<{ expiresAt: string; lineageStartedAt: string }[]>`
    select after->>'expiresAt' as "expiresAt", after->>'lineageStartedAt' as "lineageStartedAt" from audit_log
    where action = 'token.issue' and actor = ${cal.id} and after->>'jti' = ${last.jti}`;
  expect(audit.map((r) => [Date.parse(r.expiresAt), Date.parse(r.lineageStartedAt)])).toEqual([[wholeSeconds(end), start]]);
  // Past the end the last token has expired with its lineage: nothing renews it.
  at(end + 1000);
  expect(await errorCode(issue(last.client, cal.id))).toBe("UNAUTHENTICATED");
});

test("a token an admin issues for someone starts a new lineage; an admin renewing itself stays in its own", async () => {
  const start = Date.now();
  at(start);
  const dan = await principalWith(t.admin, t.cp.url, "dan", [{ role: "viewer" }], 3600);
  const ada = await principalWith(t.admin, t.cp.url, "ada", [{ role: "admin" }], 3600);
  at(start + 50 * MINUTE);
  const ada2 = await renewed(ada);
  at(start + 100 * MINUTE);
  const ada3 = await renewed(ada2);
  expect(ada3.expiresAt).toBe(wholeSeconds(start + 2 * HOUR));
  expect(await lineageStartOf(ada3.jti)).toBe(start);
  // Ada issues dan a token with her last one: dan's new lineage starts now, not when his first token was issued.
  const fromAda = await issue(ada3.client, dan.id);
  expect(await lineageStartOf(fromAda.jti)).toBe(start + 100 * MINUTE);
  at(start + 150 * MINUTE);
  const danRenewed = await renewed({ ...dan, token: fromAda.token, jti: fromAda.jti });
  expect(danRenewed.expiresAt).toBe(wholeSeconds(start + 150 * MINUTE) + HOUR);
  expect(danRenewed.expiresAt).toBeGreaterThan(start + 2 * HOUR);
  expect(await lineageStartOf(danRenewed.jti)).toBe(start + 100 * MINUTE);
});

test("once its lineage has ended a live token cannot renew itself (FORBIDDEN, audited as refused.issueToken); a token an admin issues can", async () => {
  const start = Date.now();
  at(start);
  const eve = await principalWith(t.admin, t.cp.url, "eve", [{ role: "viewer" }], 3600);
  at(start + 50 * MINUTE);
  const eve2 = await renewed(eve);
  // On `short` the lineage ended at start + 1 h; eve2, renewed where it was 2 h, lives to start + 1 h 50.
  at(start + 70 * MINUTE);
  expect(await errorCode(issue(adminClient(short.cp.url, eve2.token), eve.id))).toBe("FORBIDDEN");
  const refused = await t.openSql()<{ message: string }[]>`select after->>'message' as message from audit_log where actor = ${eve.id} and action = 'refused.issueToken'`;
  expect(refused.length).toBe(1);
  // The end named as the last token's expiresAt names it: whole seconds, as a JWT's exp.
  expect(refused[0]!.message).toContain(new Date(wholeSeconds(start + HOUR)).toISOString());
  const fromBootstrap = await issue(adminClient(short.cp.url, t.adminToken), eve.id);
  const eve3 = await renewed({ ...eve, token: fromBootstrap.token, jti: fromBootstrap.jti }, short.cp.url);
  expect(await lineageStartOf(eve3.jti)).toBe(start + 70 * MINUTE);
});

test("two admins can start each other new lineages (left open: GOVERNANCE.md); revoking the first token revokes the whole bounce", async () => {
  const start = Date.now();
  at(start);
  const amy = await principalWith(t.admin, t.cp.url, "amy", [{ role: "admin" }], 3600);
  const bo = await principalWith(t.admin, t.cp.url, "bo", [{ role: "admin" }], 3600);
  at(start + 50 * MINUTE);
  // Amy's token issues one for bo, and that one one for amy: each a token someone else issued.
  const forBo = await issue(amy.client, bo.id);
  const forAmy = await issue(adminClient(t.cp.url, forBo.token), amy.id);
  expect(await lineageStartOf(forAmy.jti)).toBe(start + 50 * MINUTE);
  const boOwn = await renewed(bo);
  at(start + 100 * MINUTE);
  // Her first lineage ends at start + 2 h; renewing in the new one, amy's token outlives it.
  const amyRenewed = await renewed({ ...amy, token: forAmy.token, jti: forAmy.jti });
  expect(amyRenewed.expiresAt).toBe(wholeSeconds(start + 100 * MINUTE) + HOUR);
  expect(amyRenewed.expiresAt).toBeGreaterThan(start + 2 * HOUR);
  await t.admin.request(`mutation($j: ID!) { revokeToken(jti: $j) { jti } }`, { j: amy.jti });
  for (const token of [forBo.token, forAmy.token, amyRenewed.token]) expect(await errorCode(adminClient(t.cp.url, token).request(`{ me { id } }`))).toBe("UNAUTHENTICATED");
  // Bo's own chain was not minted with amy's token: it keeps working.
  expect((await boOwn.client.request<{ me: { id: string } }>(`{ me { id } }`)).me.id).toBe(bo.id);
});
