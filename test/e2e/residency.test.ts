/**
 * Done-when 3 across processes: an EU-resident tenant (policy set by a reviewed change request) is
 * served by the EU proxy and refused by the US proxy with `residency_violation`, naming the EU region
 * and its public URL from the snapshot's regionDirectory; the US deployment is never called for it.
 * A `phi` request on a chain with no `baa` deployment is refused before any vendor call. An embeddings
 * refusal names no region whose deployments of the alias cannot embed.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import OpenAI from "openai";
import { principalWith, type ActingPrincipal } from "../../control-plane/testing/principals.ts";
import { eventually, startStack, type TestStack } from "../support/stack.ts";

const ALIAS = "resident-chat";
const EU_MODEL = "echo-eu-resident";
const US_MODEL = "echo-us-resident";
const messages = [{ role: "user" as const, content: "where does my data go?" }];

let stack: TestStack;
let approver: ActingPrincipal;
let euResident: { tenantId: string; secret: string };
let euProject: { tenantId: string; secret: string };

async function configVersion(): Promise<number> {
  return (await stack.admin.request<{ configVersion: number }>(`{ configVersion }`)).configVersion;
}
/** Both proxies run the control plane's current config version. */
async function proxiesCaughtUp(): Promise<void> {
  const version = await configVersion();
  for (const [region, proxy] of Object.entries(stack.proxies)) await eventually(() => proxy.snapshotVersion() === version, 5000, `${region} proxy on version ${version}`);
}
async function tenantWithKey(name: string, parentId?: string): Promise<{ tenantId: string; secret: string }> {
  const { createTenant } = await stack.admin.request<{ createTenant: { id: string } }>(`mutation($i: CreateTenantInput!) { createTenant(input: $i) { id } }`, { i: { name, parentId } });
  const { createKey } = await stack.admin.request<{ createKey: { secret: string } }>(`mutation($i: CreateKeyInput!) { createKey(input: $i) { secret } }`, {
    i: { tenantId: createTenant.id, name: `${name} key` },
  });
  return { tenantId: createTenant.id, secret: createKey.secret };
}
const client = (region: string, apiKey: string) => new OpenAI({ baseURL: `${stack.proxies[region]!.url}/v1`, apiKey, maxRetries: 0 });

/** An alias may route only to priced models. */
const setPrice = (provider: string, model: string) =>
  stack.admin.request(`mutation($i: SetPriceInput!) { setPrice(input: $i) { model } }`, { i: { provider, model, inputUsdPerMillion: 1, outputUsdPerMillion: 2 } });

beforeAll(async () => {
  stack = await startStack({ regions: ["eu", "us"], snapshotPollMs: 200 });
  approver = await principalWith(stack.admin, stack.controlPlane.url, "rita", [{ role: "approver" }]);
  // Each region's public URL is its proxy's, known only once the proxies listen.
  for (const [region, proxy] of Object.entries(stack.proxies)) {
    await stack.admin.request(`mutation($i: UpdateRegionInput!) { updateRegion(input: $i) { name } }`, { i: { name: region, publicUrl: proxy.url } });
  }
  // One deployment per region with its own vendor model, so the echo vendor counts each separately.
  const deployment = async (region: string, model: string) =>
    (
      await stack.admin.request<{ createDeployment: { id: string } }>(`mutation($i: CreateDeploymentInput!) { createDeployment(input: $i) { id } }`, {
        i: { provider: "openai", baseUrl: `${stack.echo.url}/v1`, model, region, credentialRef: "env:ECHO_VENDOR_API_KEY", jurisdiction: region },
      })
    ).createDeployment.id;
  const chain = [await deployment("eu", EU_MODEL), await deployment("us", US_MODEL)];
  for (const model of [EU_MODEL, US_MODEL]) await setPrice("openai", model);
  await stack.admin.request(`mutation($i: AliasInput!) { createAlias(input: $i) { name } }`, { i: { name: ALIAS, deploymentIds: chain } });

  // Residency is tenant policy: proposed by the bootstrap admin, approved by a second person.
  euResident = await tenantWithKey("eu-resident");
  const { proposeChange } = await stack.admin.request<{ proposeChange: { id: string } }>(`mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`, {
    i: { description: "EU data residency", operations: [{ op: "tenant.policy", id: euResident.tenantId, tenantPolicy: { allowedJurisdictions: ["eu"] } }] },
  });
  const { approveChange } = await approver.client.request<{ approveChange: { status: string } }>(`mutation($id: ID!) { approveChange(id: $id) { status } }`, { id: proposeChange.id });
  expect(approveChange.status).toBe("applied");
  // A project under the EU org inherits the rule through parentId (no policy of its own).
  euProject = await tenantWithKey("eu-project", euResident.tenantId);
  await proxiesCaughtUp();
}, 30_000);
afterAll(async () => {
  await stack?.stop();
});

test("the tenant's residency policy is applied and every region carries its proxy's public URL", async () => {
  const { tenant } = await stack.admin.request<{ tenant: { allowedJurisdictions: string[] | null } }>(`query($id: ID!) { tenant(id: $id) { allowedJurisdictions } }`, { id: euResident.tenantId });
  expect(tenant.allowedJurisdictions).toEqual(["eu"]);
  const { regions } = await stack.admin.request<{ regions: { items: { name: string; publicUrl: string | null }[] } }>(`{ regions { items { name publicUrl } } }`);
  expect(regions.items).toEqual([
    { name: "eu", publicUrl: stack.proxies.eu!.url },
    { name: "us", publicUrl: stack.proxies.us!.url },
  ]);
});

test("an EU-resident tenant is served on the EU proxy", async () => {
  const before = stack.echo.calls(EU_MODEL);
  const { data, response } = await client("eu", euResident.secret).chat.completions.create({ model: ALIAS, messages }).withResponse();
  expect(response.headers.get("x-gateway-model")).toBe(EU_MODEL);
  expect(data.choices[0]!.message.content).toContain("where does my data go?");
  expect(stack.echo.calls(EU_MODEL)).toBe(before + 1);
});

test("the US deployment serves an unrestricted tenant, so the refusal below is residency and nothing else", async () => {
  const before = stack.echo.calls(US_MODEL);
  const { response } = await client("us", stack.demo.keySecret).chat.completions.create({ model: ALIAS, messages }).withResponse();
  expect(response.headers.get("x-gateway-model")).toBe(US_MODEL);
  expect(stack.echo.calls(US_MODEL)).toBe(before + 1);
});

test("on the US proxy the EU-resident tenant (and its project) get 403 residency_violation naming eu and its URL; the US deployment is never called", async () => {
  const usCalls = stack.echo.calls(US_MODEL);
  const allCalls = stack.echo.calls();
  for (const tenant of [euResident, euProject]) {
    for (const stream of [false, true]) {
      // Refused before any byte of a stream: the SDK throws from create() itself.
      const error = await client("us", tenant.secret).chat.completions.create({ model: ALIAS, messages, stream }).then(() => null, (e: unknown) => e);
      expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
      const denied = error as InstanceType<typeof OpenAI.PermissionDeniedError>;
      expect(denied.status).toBe(403);
      expect(denied.code).toBe("residency_violation");
      expect(denied.message).toContain("data must stay in eu");
      expect(denied.message).toContain(`region eu (${stack.proxies.eu!.url})`);
      expect(denied.message).not.toContain(stack.proxies.us!.url);
    }
  }
  expect(stack.echo.calls(US_MODEL)).toBe(usCalls);
  expect(stack.echo.calls()).toBe(allCalls);
});

test("X-Data-Class: phi on a chain without a baa deployment → 403 residency_violation, no vendor call on either proxy", async () => {
  const allCalls = stack.echo.calls();
  for (const [region, apiKey] of [["eu", stack.demo.keySecret], ["us", stack.demo.keySecret], ["eu", euResident.secret]] as const) {
    for (const model of [ALIAS, stack.demo.alias]) {
      const error = await client(region, apiKey)
        .chat.completions.create({ model, messages }, { headers: { "X-Data-Class": "phi" } })
        .then(() => null, (e: unknown) => e);
      expect([region, model, error instanceof OpenAI.PermissionDeniedError]).toEqual([region, model, true]);
      const denied = error as InstanceType<typeof OpenAI.PermissionDeniedError>;
      expect(denied.code).toBe("residency_violation");
      expect(denied.message).toContain("'phi' requires a deployment flagged baa");
    }
  }
  expect(stack.echo.calls()).toBe(allCalls);
  // The same request without the data class goes through: the refusal was the data class alone.
  const { response } = await client("eu", stack.demo.keySecret).chat.completions.create({ model: ALIAS, messages }).withResponse();
  expect(response.headers.get("x-gateway-model")).toBe(EU_MODEL);
  expect(stack.echo.calls()).toBe(allCalls + 1);
});

test("an embeddings request refused on the US proxy is not sent to eu when eu's deployment of the alias cannot embed (Anthropic); chat still is", async () => {
  // `resident-assistant` = [US OpenAI (embeds), EU Anthropic (chat only)].
  const create = async (provider: string, region: string, model: string) =>
    (
      await stack.admin.request<{ createDeployment: { id: string } }>(`mutation($i: CreateDeploymentInput!) { createDeployment(input: $i) { id } }`, {
        i: { provider, baseUrl: `${stack.echo.url}/v1`, model, region, credentialRef: "env:ECHO_VENDOR_API_KEY", jurisdiction: region },
      })
    ).createDeployment.id;
  const chain = [await create("openai", "us", "echo-us-embed"), await create("anthropic", "eu", "echo-eu-claude")];
  await setPrice("openai", "echo-us-embed");
  await setPrice("anthropic", "echo-eu-claude");
  await stack.admin.request(`mutation($i: AliasInput!) { createAlias(input: $i) { name } }`, { i: { name: "resident-assistant", deploymentIds: chain } });
  await proxiesCaughtUp();

  const allCalls = stack.echo.calls();
  const embedding = await client("us", euResident.secret).embeddings.create({ model: "resident-assistant", input: "where does my data go?" }).then(() => null, (e: unknown) => e);
  expect(embedding).toBeInstanceOf(OpenAI.PermissionDeniedError);
  const denied = embedding as InstanceType<typeof OpenAI.PermissionDeniedError>;
  expect(denied.code).toBe("residency_violation");
  expect(denied.message).not.toContain(stack.proxies.eu!.url);
  expect(denied.message).toContain("No region serves this model for this tenant's residency rules");

  const chat = await client("us", euResident.secret).chat.completions.create({ model: "resident-assistant", messages }).then(() => null, (e: unknown) => e);
  expect((chat as InstanceType<typeof OpenAI.PermissionDeniedError>).code).toBe("residency_violation");
  expect((chat as Error).message).toContain(`region eu (${stack.proxies.eu!.url})`);
  expect(stack.echo.calls()).toBe(allCalls);
});
