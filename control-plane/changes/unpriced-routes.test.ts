/**
 * Every enabled deployment an alias routes to has a price (changes/unpriced-routes.ts): without one the
 * proxy charged it 0 and no budget ever stopped it (review rd). Whatever would route an alias to an
 * unpriced `provider:model` is refused, naming the alias, the deployment and the model, and audited:
 * a price.delete, an alias (direct or proposed) naming an unpriced deployment, a deployment.update to
 * another model, a deployment.enable; a change proposed while priced and approved after the price went
 * goes stale instead of applying. The seed prices both of its deployments' models.
 */
import { beforeAll, expect, test } from "bun:test";
import type postgres from "postgres";
import { SNAPSHOT_PATH_PREFIX } from "../../shared/internal-api.ts";
import { twoApprovers, type ActingPrincipal } from "../testing/principals.ts";
import { seedConfig, type Seeded } from "../testing/seed.ts";
import { firstGraphQLError, useTestControlPlane } from "../testing/test-control-plane.ts";

const t = useTestControlPlane();
let s: Seeded;
let ann: ActingPrincipal;
let ben: ActingPrincipal;
let db: postgres.Sql;
beforeAll(async () => {
  s = await seedConfig(t.admin);
  ({ ann, ben } = await twoApprovers(t.admin, t.cp.url));
  db = t.openSql();
});

const gql = (token: string, query: string, variables: Record<string, unknown>) => firstGraphQLError(t.cp.url, token, JSON.stringify({ query, variables }));
const PROPOSE = `mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`;
const proposeError = (operations: unknown[]) => gql(ann.token, PROPOSE, { i: { description: "t", operations } });
const propose = async (operations: unknown[]) => (await ann.client.request<{ proposeChange: { id: string } }>(PROPOSE, { i: { description: "t", operations } })).proposeChange.id;
const approve = (id: string) => gql(ben.token, `mutation($id: ID!) { approveChange(id: $id) { status } }`, { id });
const deployment = async (model: string) =>
  (
    await t.admin.request<{ createDeployment: { id: string } }>(`mutation($i: CreateDeploymentInput!) { createDeployment(input: $i) { id } }`, {
      i: { provider: "openai", baseUrl: "https://eu.vendor.example/v1", model, region: "eu", credentialRef: "env:OPENAI_EU_KEY" },
    })
  ).createDeployment.id;
const setPrice = (model: string) => t.admin.request(`mutation($i: SetPriceInput!) { setPrice(input: $i) { model } }`, { i: { provider: "openai", model, inputUsdPerMillion: 1, outputUsdPerMillion: 2 } });
const ALIAS = (verb: "createAlias" | "updateAlias") => `mutation($i: AliasInput!) { ${verb}(input: $i) { name } }`;
const euSnapshot = async () => {
  const payload = await (await fetch(new URL(SNAPSHOT_PATH_PREFIX + "eu", t.cp.url), { headers: { authorization: `Bearer ${s.euToken}` } })).text();
  return JSON.parse(Buffer.from(payload.split(".")[1]!, "base64url").toString());
};
const names = (message: string, alias: string, deploymentId: string, price: string) => {
  expect(message).toContain(`alias ${alias}`);
  expect(message).toContain(deploymentId);
  expect(message).toContain(price);
};

test("the seed prices every model its alias routes to", async () => {
  const { aliases, prices } = await t.admin.request<{ aliases: { items: { deployments: { provider: string; model: string }[] }[] }; prices: { items: { provider: string; model: string }[] } }>(
    `{ aliases { items { deployments { provider model } } } prices { items { provider model } } }`,
  );
  const priced = prices.items.map((p) => `${p.provider}:${p.model}`);
  const routed = aliases.items.flatMap((a) => a.deployments.map((d) => `${d.provider}:${d.model}`));
  expect(routed).toEqual(["openai:gpt-4o-mini", "openai:gpt-4o"]);
  for (const model of routed) expect(priced).toContain(model);
});

test("price.delete of a model an alias routes to is refused at proposal, naming alias, deployment and model; the price stays", async () => {
  const refused = await proposeError([{ op: "price.delete", id: "openai:gpt-4o-mini" }]);
  expect(refused.code).toBe("BAD_USER_INPUT");
  names(refused.message, "chat", s.euDeploymentId, "openai:gpt-4o-mini");
  const snapshot = await euSnapshot();
  expect(snapshot.aliases.chat.chain).toContain(s.euDeploymentId);
  expect(snapshot.pricing["openai:gpt-4o-mini"]).toBeDefined();
  const [row] = await db<{ action: string }[]>`select action from audit_log where action = 'refused.proposeChange' order by id desc limit 1`;
  expect(row?.action).toBe("refused.proposeChange");
});

test("createAlias and updateAlias naming an unpriced deployment are refused and audited; a case mismatch is unpriced too", async () => {
  const unpriced = await deployment("o1-unpriced");
  const created = await gql(t.adminToken, ALIAS("createAlias"), { i: { name: "free", deploymentIds: [unpriced] } });
  expect(created.code).toBe("BAD_USER_INPUT");
  names(created.message, "free", unpriced, "openai:o1-unpriced");
  const updated = await gql(t.adminToken, ALIAS("updateAlias"), { i: { name: "chat", deploymentIds: [s.euDeploymentId, unpriced] } });
  expect(updated.code).toBe("BAD_USER_INPUT");
  names(updated.message, "chat", unpriced, "openai:o1-unpriced");
  const audited = await db<{ action: string }[]>`select action from audit_log where action in ('refused.createAlias', 'refused.updateAlias') order by id`;
  expect(audited.map((r) => r.action)).toEqual(["refused.createAlias", "refused.updateAlias"]);
  // A price for "GPT-4O-MINI" is not the price of "gpt-4o-mini", nor the other way round: the proxy looks it up exactly.
  const shouting = await deployment("GPT-4O-MINI");
  expect((await gql(t.adminToken, ALIAS("createAlias"), { i: { name: "loud", deploymentIds: [shouting] } })).code).toBe("BAD_USER_INPUT");
  // Priced first, then routed: accepted.
  await setPrice("o1-unpriced");
  expect((await gql(t.adminToken, ALIAS("createAlias"), { i: { name: "free", deploymentIds: [unpriced] } })).code).toBeNull();
});

test("a proposed alias naming an unpriced deployment, or a deployment.update to an unpriced model, is refused", async () => {
  const unpriced = await deployment("o3-unpriced");
  const alias = await proposeError([{ op: "alias.create", alias: { name: "free2", deploymentIds: [unpriced] } }]);
  expect(alias.code).toBe("BAD_USER_INPUT");
  names(alias.message, "free2", unpriced, "openai:o3-unpriced");
  const moved = await proposeError([{ op: "deployment.update", id: s.euDeploymentId, deployment: { model: "o3-unpriced" } }]);
  expect(moved.code).toBe("BAD_USER_INPUT");
  names(moved.message, "chat", s.euDeploymentId, "openai:o3-unpriced");
  // One request that sets the price and routes to it is fine.
  await propose([
    { op: "price.set", price: { provider: "openai", model: "o3-unpriced", inputUsdPerMillion: 1, outputUsdPerMillion: 1 } },
    { op: "alias.create", alias: { name: "free2", deploymentIds: [unpriced] } },
  ]);
});

test("deployment.enable of a routed deployment whose price went while it was disabled is refused", async () => {
  await setPrice("retired-model");
  const dep = await deployment("retired-model");
  expect((await gql(t.adminToken, ALIAS("createAlias"), { i: { name: "legacy", deploymentIds: [dep] } })).code).toBeNull();
  expect((await approve(await propose([{ op: "deployment.disable", id: dep }]))).code).toBeNull();
  // Disabled, it is no route: its price may go.
  expect((await approve(await propose([{ op: "price.delete", id: "openai:retired-model" }]))).code).toBeNull();
  const enable = await proposeError([{ op: "deployment.enable", id: dep }]);
  expect(enable.code).toBe("BAD_USER_INPUT");
  names(enable.message, "legacy", dep, "openai:retired-model");
});

test("a price.delete proposed while nothing routed to it goes stale at approval once an alias does", async () => {
  await setPrice("late-model");
  const dep = await deployment("late-model");
  const drop = await propose([{ op: "price.delete", id: "openai:late-model" }]);
  expect((await gql(t.adminToken, ALIAS("createAlias"), { i: { name: "late", deploymentIds: [dep] } })).code).toBeNull();
  const approved = await approve(drop);
  expect(approved.code).toBe("CONFLICT");
  names(approved.message, "late", dep, "openai:late-model");
  const [row] = await db<{ status: string }[]>`select status from change_requests where id = ${drop}`;
  expect(row!.status).toBe("stale");
  const [price] = await db<{ model: string }[]>`select model from prices where provider = 'openai' and model = 'late-model'`;
  expect(price?.model).toBe("late-model");
});
