/**
 * A refused admin token leaves one log line — a revoked (stolen) token presented again names its jti
 * and principal; a token that is not ours, or has expired, is only counted — never the token itself, and
 * at most one line per token id a minute, saying how many refusals it stands for, so a flood cannot fill
 * the log. Failed authentication is not written to the audit chain (GOVERNANCE.md).
 */
import { expect, test } from "bun:test";
import { principalWith } from "../testing/principals.ts";
import { rawGraphQL, useTestControlPlane } from "../testing/test-control-plane.ts";
import { RefusedTokenLines } from "./refused-token-log.ts";

const t = useTestControlPlane();

const createPrincipal = (i: number) => JSON.stringify({ query: `mutation { createPrincipal(input: { name: "x${i}", kind: "person" }) { id } }` });

test("a revoked admin token presented 50 times leaves one line naming its jti and principal, never the token", async () => {
  const stolen = await principalWith(t.admin, t.cp.url, "stolen", [{ role: "admin" }]);
  await t.admin.request(`mutation($j: ID!) { revokeToken(jti: $j) { jti } }`, { j: stolen.jti });
  const before = t.logs.length;
  for (let i = 0; i < 50; i++) expect((await rawGraphQL(t.cp.url, stolen.token, createPrincipal(i))).status).toBe(401);
  const lines = t.logs.slice(before).filter((l) => l.includes("refused admin token"));
  expect(lines).toHaveLength(1);
  expect(lines[0]).toContain(stolen.jti);
  expect(lines[0]).toContain(stolen.id);
  expect(t.logs.join("\n")).not.toContain(stolen.token);
});

test("tokens that are not ours leave one line a minute, counted, never quoted", async () => {
  const forged = ["admtok_guess_0123456789", "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJwcm5fMSIsImp0aSI6Imp0aV8xIn0.c2lnbmF0dXJl"];
  const before = t.logs.length;
  for (let i = 0; i < 20; i++) expect((await rawGraphQL(t.cp.url, forged[i % 2]!, createPrincipal(i))).status).toBe(401);
  const lines = t.logs.slice(before).filter((l) => l.includes("refused admin token"));
  expect(lines).toHaveLength(1);
  for (const token of forged) expect(t.logs.join("\n")).not.toContain(token);
});

test("the throttle: one line per token id a minute; the next one says how many refusals it stands for", () => {
  const lines = new RefusedTokenLines();
  const token = { jti: "jti_1", principalId: "prn_1" };
  expect(lines.lineFor(token, 0)).toBe("control plane: refused admin token jti_1 of prn_1 (revoked, expired in the database, unknown, or its principal disabled)");
  expect(lines.lineFor(token, 1_000)).toBeNull();
  expect(lines.lineFor({ jti: "jti_2", principalId: "prn_1" }, 2_000)).toContain("jti_2");
  expect(lines.lineFor(token, 59_999)).toBeNull();
  expect(lines.lineFor(token, 60_000)).toContain("jti_1 of prn_1 (revoked, expired in the database, unknown, or its principal disabled); 2 more since the last line");
  expect(lines.lineFor(null, 60_000)).toBe("control plane: refused admin token that does not verify (not ours, malformed or expired; not quoted)");
  expect(lines.lineFor(null, 60_001)).toBeNull();
  expect(lines.lineFor(null, 120_001)).toContain("; 1 more since the last line");
});
