/**
 * A vendor key an admin sends by mistake (as an input field the API does not have, as a credentialRef
 * of the wrong shape, as a time zone) is refused, and the refusal is audited as `refused.<field>`; but
 * graphql-js quotes the values sent in its refusals, and the audit log is append-only and read by every
 * viewer. No row — read from the table or through `auditLog` — nor any log line holds the key.
 */
import { beforeAll, expect, test } from "bun:test";
import type postgres from "postgres";
import { addTenant } from "../testing/add-tenant.ts";
import { rawGraphQL, useTestControlPlane } from "../testing/test-control-plane.ts";

const t = useTestControlPlane();
let sql: postgres.Sql;
beforeAll(() => {
  sql = t.openSql();
});

const SECRET = "LIVESECRET0123456789abcdefABCDEF";
const KEY = `sk-proj-${SECRET}`;
const DEPLOYMENT = { provider: "openai", baseUrl: "https://api.openai.com/v1", model: "gpt-4o", region: "eu", credentialRef: "env:GW_CRED_X" };

type Refusal = { action: string; code: string; message: string };
const newestRefusals = async (count: number): Promise<Refusal[]> =>
  [...(await sql<Refusal[]>`select action, after->>'code' as code, after->>'message' as message from audit_log where action like 'refused.%' order by id desc limit ${count}`)].reverse();

/** Sends the request and answers the code it was refused with and the refusal row it added. */
async function refuse(query: string, variables: Record<string, unknown> = {}): Promise<{ answered: string | null; audited: Refusal }> {
  const { json } = await rawGraphQL(t.cp.url, t.adminToken, JSON.stringify({ query, variables }));
  return { answered: json.errors?.[0]?.extensions?.code ?? null, audited: (await newestRefusals(1))[0]! };
}

/** Every audit row and log line so far, as text: none may hold the key. */
async function everythingKept(): Promise<string> {
  const rows = await sql`select * from audit_log order by id`;
  const { json } = await rawGraphQL(t.cp.url, t.adminToken, JSON.stringify({ query: `{ auditLog(first: 100) { items { action target before after } } }` }));
  expect(json.data.auditLog.items.length).toBe(rows.length);
  return [JSON.stringify(rows), JSON.stringify(json.data), ...t.logs].join("\n");
}

const createDeployment = `mutation($i: CreateDeploymentInput!) { createDeployment(input: $i) { id } }`;

test("refused at variable coercion: the row keeps graphql-js's reason and the path, not the values sent", async () => {
  expect(await refuse(createDeployment, { i: { ...DEPLOYMENT, apiKey: KEY } })).toEqual({
    answered: "BAD_USER_INPUT",
    audited: { action: "refused.createDeployment", code: "BAD_USER_INPUT", message: 'Variable "$i" got invalid value; Field "apiKey" is not defined by type "CreateDeploymentInput".' },
  });
  expect(await refuse(createDeployment, { i: { ...DEPLOYMENT, credentialRef: { key: KEY } } })).toEqual({
    answered: "BAD_USER_INPUT",
    audited: { action: "refused.createDeployment", code: "BAD_USER_INPUT", message: 'Variable "$i" got invalid value at "i.credentialRef"; String cannot represent a non string value.' },
  });
  // The key where a reference belongs, and as a time zone: refused by the resolver, which quotes neither.
  expect((await refuse(createDeployment, { i: { ...DEPLOYMENT, credentialRef: KEY } })).audited).toMatchObject({ code: "BAD_USER_INPUT", message: expect.stringMatching(/^credentialRef: /) });
  const tenant = await addTenant(t.admin, "zoned");
  const proposal = `mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`;
  const zoned = await refuse(proposal, { i: { description: "zone", operations: [{ op: "tenant.policy", id: tenant, tenantPolicy: { timeZone: KEY } }] } });
  expect(zoned.audited).toMatchObject({ action: "refused.proposeChange", code: "BAD_USER_INPUT", message: expect.stringMatching(/^operations\[0\]\.tenantPolicy\.timeZone: /) });
  expect(await everythingKept()).not.toContain(SECRET);
});

test("refused at validation, the key written into the query: no literal of it is kept", async () => {
  const fields = `provider: "openai", baseUrl: "https://api.openai.com/v1", model: "gpt-4o", region: "eu"`;
  expect(await refuse(`mutation { createDeployment(input: { ${fields}, credentialRef: "env:GW_CRED_X", apiKey: "${KEY}" }) { id } }`)).toEqual({
    answered: "GRAPHQL_VALIDATION_FAILED",
    audited: { action: "refused.createDeployment", code: "GRAPHQL_VALIDATION_FAILED", message: 'Field "apiKey" is not defined by type "CreateDeploymentInput".' },
  });
  expect(await refuse(`mutation { createDeployment(input: { ${fields}, credentialRef: { key: "${KEY}" } }) { id } }`)).toEqual({
    answered: "GRAPHQL_VALIDATION_FAILED",
    audited: { action: "refused.createDeployment", code: "GRAPHQL_VALIDATION_FAILED", message: "String cannot represent a non string value." },
  });
  // Unquoted, the key is an enum literal, printed bare; a string where an input object belongs.
  expect((await refuse(`mutation { createDeployment(input: { ${fields}, credentialRef: sk_${SECRET} }) { id } }`)).audited.message).toBe("String cannot represent a non string value.");
  const timeouts = await refuse(`mutation { createDeployment(input: { ${fields}, credentialRef: "env:GW_CRED_X", timeouts: "${KEY}" }) { id } }`);
  expect(timeouts.audited.message).toBe('Expected value of type "DeploymentTimeoutsInput".');
  expect(await everythingKept()).not.toContain(SECRET);
});

test("a key sent as a field or argument name (a valid GraphQL name) is masked in the refusal's message", async () => {
  const fields = `provider: "openai", baseUrl: "https://api.openai.com/v1", model: "gpt-4o", region: "eu", credentialRef: "env:GW_CRED_X"`;
  const masked = (prefix: string) => `${prefix}… (secret-shaped: not quoted)`;
  expect(await refuse(`mutation { createDeployment(input: { ${fields}, gwk_${SECRET}: 1 }) { id } }`)).toEqual({
    answered: "GRAPHQL_VALIDATION_FAILED",
    audited: { action: "refused.createDeployment", code: "GRAPHQL_VALIDATION_FAILED", message: `Field "${masked("gwk_")}" is not defined by type "CreateDeploymentInput".` },
  });
  expect((await refuse(createDeployment, { i: { ...DEPLOYMENT, [`admtok_${SECRET}`]: 1 } })).audited.message).toBe(
    `Variable "$i" got invalid value; Field "${masked("admtok_")}" is not defined by type "CreateDeploymentInput".`,
  );
  expect((await refuse(`mutation { createDeployment(input: { ${fields} }, AIza${SECRET}: 1) { id } }`)).audited.message).toBe(
    `Unknown argument "${masked("AIza")}" on field "Mutation.createDeployment".`,
  );
  expect((await refuse(`mutation { createDeployment(input: { ${fields} }) { regtok_${SECRET} } }`)).audited.message).toBe(
    `Cannot query field "${masked("regtok_")}" on type "Deployment".`,
  );
  expect(await everythingKept()).not.toContain(SECRET);
});
