import { afterAll, beforeAll, expect, test } from "bun:test";
import { AdminApiError } from "../infra/local/admin-client.ts";
import { rawGraphQL, startTestControlPlane, type TestControlPlane } from "./testing/test-control-plane.ts";

let t: TestControlPlane;
let tenantId: string;
let deploymentId: string;
beforeAll(async () => {
  t = await startTestControlPlane();
  tenantId = (await t.admin.request<any>(`mutation { createTenant(input: { name: "acme" }) { id } }`)).createTenant.id;
  deploymentId = (
    await t.admin.request<any>(`mutation($i: CreateDeploymentInput!) { createDeployment(input: $i) { id } }`, {
      i: { provider: "openai", baseUrl: "https://api.openai.com/v1", model: "m", region: "eu", credentialRef: "env:K" },
    })
  ).createDeployment.id;
});
afterAll(async () => {
  await t.close();
});

async function codeOf(query: string, variables?: Record<string, unknown>): Promise<{ code: string | null; message: string }> {
  try {
    await t.admin.request(query, variables);
  } catch (error) {
    if (error instanceof AdminApiError) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error(`expected ${query} to fail`);
}

const deployment = (over: Record<string, unknown>) =>
  codeOf(`mutation($i: CreateDeploymentInput!) { createDeployment(input: $i) { id } }`, {
    i: { provider: "openai", baseUrl: "https://api.openai.com/v1", model: "m", region: "eu", credentialRef: "env:K", ...over },
  });

test("no token or a wrong token is UNAUTHENTICATED, as GraphQL JSON", async () => {
  for (const token of [null, "admtok_wrong", ""]) {
    const { json } = await rawGraphQL(t.cp.url, token, JSON.stringify({ query: "{ tenants { id } }" }));
    expect(json.errors[0].extensions.code).toBe("UNAUTHENTICATED");
    expect(json.data).toBeUndefined();
  }
});

test("invalid deployment arguments are BAD_USER_INPUT naming the field", async () => {
  expect(await deployment({ baseUrl: "not a url" })).toEqual({ code: "BAD_USER_INPUT", message: expect.stringContaining("baseUrl") });
  expect((await deployment({ baseUrl: "ftp://x/y" })).message).toContain("baseUrl");
  expect(await deployment({ credentialRef: "sk-live-123" })).toEqual({ code: "BAD_USER_INPUT", message: expect.stringContaining("credentialRef") });
  expect((await deployment({ credentialRef: "env:lower" })).code).toBe("BAD_USER_INPUT");
  // A ref naming the proxy's own secrets would send them to the deployment's baseUrl.
  expect(await deployment({ credentialRef: "env:REGION_TOKEN" })).toEqual({ code: "BAD_USER_INPUT", message: expect.stringContaining("credentialRef") });
  expect(await deployment({ provider: "skynet" })).toEqual({ code: "BAD_USER_INPUT", message: expect.stringContaining("provider") });
  expect(await deployment({ region: "EU WEST" })).toEqual({ code: "BAD_USER_INPUT", message: expect.stringContaining("region") });
});

test("a negative or non-finite price is BAD_USER_INPUT", async () => {
  const price = (over: Record<string, unknown>) =>
    codeOf(`mutation($i: SetPriceInput!) { setPrice(input: $i) { model } }`, {
      i: { provider: "openai", model: "m", inputUsdPerMillion: 1, outputUsdPerMillion: 1, ...over },
    });
  expect(await price({ inputUsdPerMillion: -1 })).toEqual({ code: "BAD_USER_INPUT", message: expect.stringContaining("inputUsdPerMillion") });
  expect((await price({ cachedInputUsdPerMillion: -0.5 })).message).toContain("cachedInputUsdPerMillion");
  expect((await price({ outputUsdPerMillion: "free" })).code).toBe("BAD_USER_INPUT");
});

test("aliases: bad name, unknown deployment, duplicate, unknown alias", async () => {
  const alias = (mutation: string, i: Record<string, unknown>) => codeOf(`mutation($i: AliasInput!) { ${mutation}(input: $i) { name } }`, { i });
  expect(await alias("createAlias", { name: "Bad Name", deploymentIds: [deploymentId] })).toEqual({ code: "BAD_USER_INPUT", message: expect.stringContaining("name") });
  expect((await alias("createAlias", { name: "ok", deploymentIds: [] })).code).toBe("BAD_USER_INPUT");
  expect(await alias("createAlias", { name: "ok", deploymentIds: ["dep_missing"] })).toEqual({ code: "NOT_FOUND", message: expect.stringContaining("dep_missing") });
  // An alias may not route to an unpriced model: "m" is priced first.
  expect(await alias("createAlias", { name: "ok", deploymentIds: [deploymentId] })).toEqual({ code: "BAD_USER_INPUT", message: expect.stringContaining("openai:m has no price") });
  await t.admin.request(`mutation { setPrice(input: { provider: "openai", model: "m", inputUsdPerMillion: 1, outputUsdPerMillion: 1 }) { model } }`);
  await t.admin.request(`mutation($i: AliasInput!) { createAlias(input: $i) { name } }`, { i: { name: "ok", deploymentIds: [deploymentId] } });
  expect((await alias("createAlias", { name: "ok", deploymentIds: [deploymentId] })).code).toBe("CONFLICT");
  expect((await alias("updateAlias", { name: "nope", deploymentIds: [deploymentId] })).code).toBe("NOT_FOUND");
});

test("keys, tenants, regions: unknown ids are NOT_FOUND, duplicates CONFLICT", async () => {
  const key = (i: Record<string, unknown>) => codeOf(`mutation($i: CreateKeyInput!) { createKey(input: $i) { secret } }`, { i });
  expect((await key({ tenantId: "ten_missing", name: "k" })).code).toBe("NOT_FOUND");
  expect(await key({ tenantId, name: "  " })).toEqual({ code: "BAD_USER_INPUT", message: expect.stringContaining("name") });
  expect(await key({ tenantId, name: "k", expiresAt: "2001-01-01T00:00:00Z" })).toEqual({ code: "BAD_USER_INPUT", message: expect.stringContaining("expiresAt") });
  expect((await key({ tenantId, name: "k", allowedAliases: ["NOT VALID"] })).code).toBe("BAD_USER_INPUT");
  expect((await codeOf(`mutation { revokeKey(id: "key_missing") { id } }`)).code).toBe("NOT_FOUND");
  expect((await codeOf(`{ keys(tenantId: "ten_missing") { items { id } } }`)).code).toBe("NOT_FOUND");
  expect((await codeOf(`{ spend(tenantId: "ten_missing", from: "2026-01-01T00:00:00Z", to: "2026-01-02T00:00:00Z") { requests } }`)).code).toBe("NOT_FOUND");
  expect((await codeOf(`mutation { createTenant(input: { name: "acme" }) { id } }`)).code).toBe("CONFLICT");
  expect((await codeOf(`mutation { createRegion(input: { name: "X" }) { token } }`)).code).toBe("BAD_USER_INPUT");
  await t.admin.request(`mutation { createRegion(input: { name: "eu" }) { token } }`);
  expect((await codeOf(`mutation { createRegion(input: { name: "eu" }) { token } }`)).code).toBe("CONFLICT");
  expect((await codeOf(`{ spend(tenantId: "${tenantId}", from: "2026-01-02T00:00:00Z", to: "2026-01-01T00:00:00Z") { requests } }`)).code).toBe("BAD_USER_INPUT");
  // A refused change leaves no trace: the version only counts committed changes.
  const { configVersion } = await t.admin.request<any>(`{ configVersion }`);
  expect(configVersion).toBe(5); // tenant, deployment, price "m", alias "ok", region "eu"
});

test("malformed GraphQL and malformed JSON get error JSON, never a stack", async () => {
  const syntax = await rawGraphQL(t.cp.url, t.adminToken, JSON.stringify({ query: "{ tenants { id " }));
  expect(syntax.json.errors[0].extensions.code).toBe("GRAPHQL_PARSE_FAILED");
  const unknownField = await rawGraphQL(t.cp.url, t.adminToken, JSON.stringify({ query: "{ nope }" }));
  expect(unknownField.json.errors[0].extensions.code).toBe("GRAPHQL_VALIDATION_FAILED");
  const notJson = await rawGraphQL(t.cp.url, t.adminToken, "{not json");
  expect(notJson.status).toBe(400);
  expect(notJson.json.errors[0].extensions.code).toBe("BAD_REQUEST");
  for (const body of [syntax.json, unknownField.json, notJson.json]) {
    expect(JSON.stringify(body)).not.toContain("stacktrace");
    expect(JSON.stringify(body)).not.toMatch(/\.ts:\d+/);
  }
});

test("a database failure becomes a generic INTERNAL_SERVER_ERROR and the detail goes to the log", async () => {
  // Force a real SQL error by renaming a table the query needs, on this test file's own database.
  const postgres = (await import("postgres")).default;
  const sql = postgres(t.db.url, { max: 1, onnotice: () => {} });
  await sql`alter table prices rename to prices_gone`;
  try {
    const { json } = await rawGraphQL(t.cp.url, t.adminToken, JSON.stringify({ query: "{ prices { items { model } } }" }));
    expect(json.errors[0].extensions.code).toBe("INTERNAL_SERVER_ERROR");
    expect(json.errors[0].message).toBe("internal server error");
    expect(JSON.stringify(json)).not.toContain("does not exist");
    expect(t.logs.some((l) => l.includes("relation \"prices\" does not exist"))).toBe(true);
  } finally {
    await sql`alter table prices_gone rename to prices`;
    await sql.end();
  }
});

test("a body over the limit is a GraphQL error with a code, declared or chunked, however large (not Bun's bare 413), and closes its connection", async () => {
  const huge = JSON.stringify({ query: "{ tenants { items { id } } }", variables: { pad: "x".repeat(6 * 1024 * 1024) } });
  const declared = await fetch(`${t.cp.url}/graphql`, { method: "POST", headers: { authorization: `Bearer ${t.adminToken}`, "content-type": "application/json" }, body: huge });
  expect(declared.status).toBe(413);
  expect(declared.headers.get("connection")).toBe("close"); // the client may still be sending it
  expect((await declared.json()).errors[0].extensions.code).toBe("BAD_REQUEST");
  const encoder = new TextEncoder();
  const chunked = new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < 8; i++) controller.enqueue(encoder.encode("x".repeat(256 * 1024)));
      controller.close();
    },
  });
  const streamed = await fetch(`${t.cp.url}/graphql`, { method: "POST", headers: { authorization: `Bearer ${t.adminToken}`, "content-type": "application/json" }, body: chunked });
  expect(streamed.status).toBe(413);
  expect(streamed.headers.get("connection")).toBe("close");
  expect((await streamed.json()).errors[0].extensions.code).toBe("BAD_REQUEST");
  // The server goes on answering.
  expect(await t.admin.request(`{ configVersion }`)).toHaveProperty("configVersion");
});
