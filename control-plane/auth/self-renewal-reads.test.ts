/**
 * issueToken runs under the config lock, after the caller's token was authenticated again there (one
 * statement joining issued_tokens and principals: still-allowed.ts). It then read the same rows again:
 * the caller's principal (the target of a self-renewal, and for checkMayIssueFor its kind), and the
 * caller's token for its lineage's start. The re-authentication carries the kind and the lineage start
 * on the principal, so a renewal reads neither table again before it writes its token.
 */
import { beforeAll, expect, test } from "bun:test";
import { randomBytes } from "node:crypto";
import { useTestDatabase } from "../../test/support/use-test-database.ts";
import type { Queryable, Sql, Tx } from "../db/client.ts";
import { migrate } from "../db/migrate.ts";
import type { GraphQLContext } from "../graphql/context.ts";
import { authenticate } from "./authenticate.ts";
import { signAdminJwt } from "./jwt.ts";
import { issueToken } from "./principal.service.ts";
import { stillAllowed } from "./still-allowed.ts";
import { DEFAULT_MAX_LINEAGE_HOURS } from "./token-lineage.ts";

const database = useTestDatabase({ max: 2 });
const secret = randomBytes(32);

beforeAll(async () => {
  await migrate(database.sql);
  await database.sql`insert into principals (id, name, kind) values ('prn_r', 'r', 'person'), ('prn_o', 'o', 'person')`;
  await database.sql`insert into role_bindings (principal_id, role, tenant_id, granted_by) values ('prn_r', 'admin', '', 'adm_x')`;
  // prn_r's token, issued by the bootstrap token two hours ago: its lineage started then (to the
  // millisecond, as issueToken writes it from a Date).
  await database.sql`insert into issued_tokens (jti, principal_id, issued_at, expires_at, lineage_started_at, issued_by, issued_with, issuers)
    values ('jti_r0', 'prn_r', now() - interval '2 hours', now() + interval '1 hour', date_trunc('milliseconds', now()) - interval '2 hours',
      'adm_x', null, array['adm_x'])`;
});

/** The SQL text of every statement run in a transaction of `sql`'s, tagged templates and unsafe alike. */
function countedSql(sql: Sql, statements: string[]): Sql {
  const counted = (tx: Tx): Tx =>
    new Proxy(tx, {
      apply(target, self, args: [TemplateStringsArray, ...unknown[]]) {
        if (Array.isArray(args[0]) && "raw" in args[0]) statements.push(args[0].join("?"));
        return Reflect.apply(target as never, self, args);
      },
      get(target, key, receiver) {
        if (key !== "unsafe") return Reflect.get(target, key, receiver);
        return (query: string, ...rest: unknown[]) => {
          statements.push(query);
          return (target.unsafe as (...a: unknown[]) => unknown)(query, ...rest);
        };
      },
    });
  return new Proxy(sql, {
    get(target, key, receiver) {
      if (key !== "begin") return Reflect.get(target, key, receiver);
      return (work: (tx: Tx) => Promise<unknown>) => target.begin((tx) => work(counted(tx as Tx)));
    },
  });
}

/** issueToken as a request with prn_r's token makes it, the lock's re-authentication included. */
async function issueAsR(principalId: string): Promise<{ statements: string[]; jti: string }> {
  const { token } = await signAdminJwt(secret, "prn_r", "jti_r0", 3600);
  const principal = (await authenticate(database.sql, secret, token))!;
  const statements: string[] = [];
  const deps = { sql: countedSql(database.sql, statements), tokenSecret: secret, governance: { requiredApprovals: 1, adminJwtMaxLineageHours: DEFAULT_MAX_LINEAGE_HOURS } };
  const ctx = {
    actor: principal.id,
    principal,
    who: { id: principal.id, clientAddress: null, tokenId: principal.jti, issuedBy: principal.issuedBy },
    deps,
    reauthenticate: (q: Queryable) => authenticate(q, secret, token),
    loaders: { scope: { visible: null } },
  } as unknown as GraphQLContext;
  ctx.who = { ...ctx.who, stillAllowed: stillAllowed(ctx, "issueToken", "anyone") };
  const issued = await issueToken(ctx, { principalId, ttlSeconds: 600 });
  return { statements, jti: issued.jti };
}

const reading = (statements: string[]) => statements.filter((s) => /\b(issued_tokens|principals)\b/.test(s));

test("a self-renewal reads the caller's token and principal once, with the re-authentication, then writes its token", async () => {
  const { statements, jti } = await issueAsR("prn_r");
  expect(reading(statements)).toHaveLength(2);
  expect(reading(statements)[0]).toContain("join principals");
  expect(reading(statements)[1]).toStartWith("insert into issued_tokens");
  // Same answer: the renewal keeps its lineage's start, and its chain's issuers.
  const [row] = await database.sql`select t.lineage_started_at = p.lineage_started_at as "sameStart", t.issuers, t.issued_with as "issuedWith"
    from issued_tokens t join issued_tokens p on p.jti = 'jti_r0' where t.jti = ${jti}`;
  expect(row).toEqual({ sameStart: true, issuers: ["adm_x", "prn_r"], issuedWith: "jti_r0" });
});

test("issuing for someone else reads the target's principal, not the caller's again", async () => {
  const { statements, jti } = await issueAsR("prn_o");
  expect(reading(statements)).toHaveLength(3);
  expect(reading(statements).filter((s) => /from principals where id/.test(s))).toHaveLength(1);
  const [row] = await database.sql`select principal_id as "principalId", lineage_started_at > now() - interval '1 minute' as "newLineage" from issued_tokens where jti = ${jti}`;
  expect(row).toEqual({ principalId: "prn_o", newLineage: true });
});
