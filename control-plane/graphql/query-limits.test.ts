/**
 * Done-when 5: abusive queries are refused with QUERY_TOO_COMPLEX before anything runs, and 10,000
 * keys list through cursor pages with the same small number of SQL statements on every page.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import postgres from "postgres";
import { rawGraphQL, startTestControlPlane, type TestControlPlane } from "../testing/test-control-plane.ts";

let t: TestControlPlane;
const statements: string[] = [];
let tenantId: string;
beforeAll(async () => {
  // A long tick keeps the scheduler's statements out of the count.
  t = await startTestControlPlane({ onQuery: (q) => statements.push(q), changeTickMs: 3_600_000 });
  tenantId = (await t.admin.request<{ createTenant: { id: string } }>(`mutation { createTenant(input: { name: "bulk" }) { id } }`)).createTenant.id;
  const sql = postgres(t.db.url, { max: 1, onnotice: () => {} });
  try {
    await sql`insert into gateway_keys (id, tenant_id, name, prefix, key_hash, expires_at)
      select 'key_bulk' || lpad(i::text, 5, '0'), ${tenantId}, 'bulk ' || i, 'gwk_bulk', md5(i::text) || md5((i * 7)::text), now() + interval '1 day'
      from generate_series(1, 10000) as i`;
  } finally {
    await sql.end();
  }
}, 60_000);
afterAll(async () => {
  await t.close();
});

const query = (q: string, variables: Record<string, unknown> = {}) => rawGraphQL(t.cp.url, t.adminToken, JSON.stringify({ query: q, variables }));

test("10,000 keys page through with a bounded, constant number of statements per page", async () => {
  const seen = new Set<string>();
  const perPage: number[] = [];
  let after: string | null = null;
  for (let page = 0; page < 100; page++) {
    statements.length = 0;
    const { status, json } = await query(
      `query($t: ID!, $after: String) { keys(tenantId: $t, first: 500, after: $after) { items { id name status tenant { id name } } nextCursor } }`,
      { t: tenantId, after },
    );
    expect(status).toBe(200);
    perPage.push(statements.length);
    for (const key of json.data.keys.items) {
      expect(key.tenant).toEqual({ id: tenantId, name: "bulk" });
      seen.add(key.id);
    }
    after = json.data.keys.nextCursor;
    if (!after) break;
  }
  expect(seen.size).toBe(10_000);
  expect(perPage).toHaveLength(20);
  // Token lookup, tenant check (batched loader, reused by every key's `tenant`), the page itself.
  expect(Math.max(...perPage)).toBeLessThanOrEqual(4);
  expect(new Set(perPage).size).toBe(1);
}, 60_000);

test("a query repeating an expensive list under many aliases is refused before it runs", async () => {
  const fields = Array.from({ length: 20 }, (_, i) => `a${i}: tenants(first: 500) { items { id name kind parentId } }`).join(" ");
  statements.length = 0;
  const { status, json } = await query(`{ ${fields} }`);
  expect(status).toBe(400);
  expect(json.errors[0].extensions.code).toBe("QUERY_TOO_COMPLEX");
  expect(json.errors[0].message).toContain("complexity");
  expect(json.data).toBeUndefined();
  // Only the token lookup ran.
  expect(statements.length).toBeLessThanOrEqual(1);
});

test("a deeply nested query is refused; a variable page size counts at its value", async () => {
  const nest = (levels: number): string => (levels === 0 ? "name" : `ofType { ${nest(levels - 1)} }`);
  // The same shape within the limit passes: the refusal is about depth (introspection's own, 15), not introspection.
  expect((await query(`{ __schema { types { fields { type { ${nest(10)} } } } } }`)).status).toBe(200);
  const deep = `{ __schema { types { fields { type { ${nest(12)} } } } } }`;
  const { status, json } = await query(deep);
  expect(status).toBe(400);
  expect(json.errors[0].extensions.code).toBe("QUERY_TOO_COMPLEX");
  expect(json.errors[0].message).toContain("depth");
  const fields = Array.from({ length: 20 }, (_, i) => `a${i}: tenants(first: $n) { items { id name kind parentId } }`).join(" ");
  expect((await query(`query($n: Int) { ${fields} }`, { n: 5 })).status).toBe(200);
  expect((await query(`query($n: Int) { ${fields} }`, { n: 500 })).json.errors[0].extensions.code).toBe("QUERY_TOO_COMPLEX");
});

test("expensive root fields cost their weight: 2,000 aliased verifyAuditChain are refused before any hashing, 2 pass", async () => {
  for (const n of [5, 2000]) {
    statements.length = 0;
    const many = Array.from({ length: n }, (_, i) => `v${i}: verifyAuditChain { ok checked }`).join(" ");
    const { status, json } = await query(`{ ${many} }`);
    expect(status).toBe(400);
    expect(json.errors[0].extensions.code).toBe("QUERY_TOO_COMPLEX");
    expect(statements.length).toBeLessThanOrEqual(1);
  }
  const two = await query(`{ a: verifyAuditChain { ok } b: verifyAuditChain { ok } }`);
  expect(two.status).toBe(200);
  expect(two.json.data.a.ok).toBe(true);
});

test("more than MAX_ROOT_FIELDS root selections are refused even when each is cheap (fragments count too)", async () => {
  const cheap = (n: number, prefix = "c") => Array.from({ length: n }, (_, i) => `${prefix}${i}: configVersion`).join(" ");
  expect((await query(`{ ${cheap(30)} }`)).status).toBe(200);
  const refused = await query(`{ ${cheap(31)} }`);
  expect(refused.status).toBe(400);
  expect(refused.json.errors[0].message).toContain("root fields 31");
  const viaFragment = await query(`{ ...F ...F2 } fragment F on Query { ${cheap(20)} } fragment F2 on Query { ${cheap(20, "d")} }`);
  expect(viaFragment.json.errors[0].extensions.code).toBe("QUERY_TOO_COMPLEX");
});

test("fragments spread twice per level, 60 levels deep (~2 KB), are refused at once, not walked 2^60 times", async () => {
  const n = 60;
  const fragments = Array.from({ length: n }, (_, i) => `fragment F${i} on Query { ...F${i + 1} ...F${i + 1} }`).join("\n") + `\nfragment F${n} on Query { __typename }`;
  statements.length = 0;
  const { status, json } = await query(`query { ...F0 }\n${fragments}`);
  expect(status).toBe(400);
  expect(json.errors[0].extensions.code).toBe("QUERY_TOO_COMPLEX");
  expect(json.errors[0].message).toContain("root fields");
  expect(statements.length).toBeLessThanOrEqual(1);
});
