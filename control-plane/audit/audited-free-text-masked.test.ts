/**
 * Free text a caller writes into a successful act — a kill switch's reason, a proposal's description, a
 * rejection's reason — is audited with every secret-shaped word masked, as refusal rows are: the log is
 * append-only and read by every viewer, so a vendor key pasted there would stay for good. The words around
 * it are kept. The change request itself keeps the text as sent (an ordinary row an operator can redact).
 */
import { beforeAll, expect, test } from "bun:test";
import type postgres from "postgres";
import { proposeChangeAs } from "../testing/change-requests.ts";
import { principalWith, twoApprovers } from "../testing/principals.ts";
import { seedConfig, type Seeded } from "../testing/seed.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";

const t = useTestControlPlane();
let sql: postgres.Sql;
let seeded: Seeded;
beforeAll(async () => {
  sql = t.openSql();
  seeded = await seedConfig(t.admin);
});

const SECRET = "LIVESECRET0123456789abcdefABCDEF";
const LEAKED = `sk-proj-${SECRET}`;
const MASKED = "sk-… (secret-shaped: not quoted)";

const newestAfter = async (action: string): Promise<Record<string, unknown>> =>
  (await sql<{ after: Record<string, unknown> }[]>`select after from audit_log where action = ${action} order by id desc limit 1`)[0]!.after;

test("a kill switch's reason quoting a vendor key is audited with the key masked", async () => {
  await t.admin.request(`mutation($id: ID!, $r: String!) { killSwitch(target: { kind: "deployment", id: $id }, reason: $r) { affected } }`, {
    id: seeded.usDeploymentId,
    r: `vendor key ${LEAKED} was posted publicly`,
  });
  expect((await newestAfter("killswitch.deployment")).reason).toBe(`vendor key ${MASKED} was posted publicly`);
});

test("a proposal's description and a rejection's reason quoting a vendor key are audited with the key masked", async () => {
  const { ann, ben } = await twoApprovers(t.admin, t.cp.url);
  const price = { op: "price.set", price: { provider: "openai", model: "masked-model", inputUsdPerMillion: 1, outputUsdPerMillion: 1 } };
  const id = await proposeChangeAs(ann.client, [price], undefined, `rotate ${LEAKED} today`);
  expect((await newestAfter("change.propose")).description).toBe(`rotate ${MASKED} today`);
  await ben.client.request(`mutation($id: ID!, $r: String) { rejectChange(id: $id, reason: $r) { id } }`, { id, r: `not while ${LEAKED} is live` });
  expect((await newestAfter("change.reject")).reason).toBe(`not while ${MASKED} is live`);
  const [request] = await sql<{ description: string; reason: string }[]>`select description, reason from change_requests where id = ${id}`;
  expect(request).toEqual({ description: `rotate ${LEAKED} today`, reason: `not while ${LEAKED} is live` });
  expect(JSON.stringify(await sql`select * from audit_log`)).not.toContain(SECRET);
});

test("masked free text is cut again to its 1,000 characters: a masked word is longer than the word", async () => {
  // 250 secret-shaped words in 999 characters: masked, 8,000 characters.
  const words = "sk- ".repeat(250);
  await t.admin.request(`mutation($id: ID!, $r: String!) { killSwitch(target: { kind: "deployment", id: $id }, reason: $r) { affected } }`, { id: seeded.euDeploymentId, r: words });
  const reason = (await newestAfter("killswitch.deployment")).reason as string;
  expect(reason.length).toBe(1000);
  expect(reason.startsWith(`${MASKED} ${MASKED} `)).toBe(true);
  const cara = await principalWith(t.admin, t.cp.url, "cara", [{ role: "approver" }]);
  const price = { op: "price.set", price: { provider: "openai", model: "cut-masked-model", inputUsdPerMillion: 1, outputUsdPerMillion: 1 } };
  await proposeChangeAs(cara.client, [price], undefined, words);
  const description = (await newestAfter("change.propose")).description as string;
  expect(description.length).toBe(1000);
  expect(description.startsWith(`${MASKED} ${MASKED} `)).toBe(true);
});
