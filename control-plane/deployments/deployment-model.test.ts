/**
 * A deployment's model is a vendor model id or an Azure deployment name, both visible ASCII. The proxy
 * copies it into the x-gateway-model header of every answer, and a header value cannot carry a line
 * break, another control character or a character outside Latin-1: such a model made every answer from
 * its deployment fail. createDeployment and proposeChange (deployment.create, deployment.update) refuse
 * it with BAD_USER_INPUT naming the field.
 */
import { expect, test } from "bun:test";
import { argumentRefusals, useTestControlPlane, type ArgumentCase } from "../testing/test-control-plane.ts";
import { requireDeploymentModel } from "./deployment-model.ts";

const REAL_IDS = [
  "gpt-4o-mini",
  "claude-sonnet-4-5-20250929",
  "gemini-2.5-flash",
  "ft:gpt-4o-mini-2024-07-18:acme::9AbC",
  "models/gemini-1.5-pro",
  "meta-llama/Llama-3.1-8B-Instruct",
  "anthropic.claude-3-5-sonnet-20240620-v1:0",
  "claude-3-5-sonnet-v2@20241022",
  "my_azure-deploy.1",
];
const REFUSED = ["echo-模型", "gpt\nmini", "gpt\r\nx-injected: 1", "gpt\tmini", "gpt mini", "gpt\u007fmini", "gpt\u0085mini", "café", "gpt\u00a0mini"];

const refusal = (fn: () => unknown) => {
  try {
    fn();
    return "OK";
  } catch (error) {
    return `${(error as { extensions?: { code?: string } }).extensions?.code}: ${(error as Error).message}`;
  }
};

test("real vendor model ids and Azure deployment names pass unchanged", () => {
  expect(REAL_IDS.map((m) => [m, refusal(() => requireDeploymentModel("model", m))])).toEqual(REAL_IDS.map((m) => [m, "OK"]));
  expect(requireDeploymentModel("model", "  gpt-4o  ")).toBe("gpt-4o");
});

test("a model with a control character, a space or a non-ASCII character is refused, naming the character and why", () => {
  for (const model of REFUSED) {
    const message = refusal(() => requireDeploymentModel("model", model));
    expect([model, message.slice(0, 23)]).toEqual([model, "BAD_USER_INPUT: model: "]);
    expect(message).toContain("visible ASCII");
    expect(message).toContain("x-gateway-model");
    expect(message).toMatch(/U\+[0-9A-F]{4}/);
  }
});

const t = useTestControlPlane();
const dep = { provider: "openai", baseUrl: "https://api.openai.com/v1", model: "gpt-4o-mini", region: "eu", credentialRef: "env:GW_CRED_OPENAI" };
const CREATE = `mutation($i: CreateDeploymentInput!) { createDeployment(input: $i) { id } }`;
const PROPOSE = `mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`;

test("createDeployment, deployment.create and deployment.update refuse such a model naming the field", async () => {
  const { createDeployment } = await t.admin.request<{ createDeployment: { id: string } }>(CREATE, { i: dep });
  const cases: ArgumentCase[] = REFUSED.flatMap((model): ArgumentCase[] => [
    ["model", t.adminToken, CREATE, { i: { ...dep, model } }],
    ["operations[1].deployment.model", t.adminToken, PROPOSE, { i: { description: "d", operations: [{ op: "price.set", price: { provider: "openai", model: "m", inputUsdPerMillion: 1, outputUsdPerMillion: 1 } }, { op: "deployment.create", deployment: { ...dep, model } }] } }],
    ["operations[0].deployment.model", t.adminToken, PROPOSE, { i: { description: "d", operations: [{ op: "deployment.update", id: createDeployment.id, deployment: { model } }] } }],
  ]);
  expect(await argumentRefusals(t.cp.url, cases)).toEqual(cases.map(([field]) => [field, 200, "BAD_USER_INPUT", true]));
});

test("a model stored before the check does not block an update that leaves it as it is", async () => {
  const { createDeployment } = await t.admin.request<{ createDeployment: { id: string } }>(CREATE, { i: dep });
  const sql = t.openSql();
  await sql`update deployments set model = ${"echo-模型"} where id = ${createDeployment.id}`;
  const { proposeChange } = await t.admin.request<{ proposeChange: { id: string } }>(PROPOSE, {
    i: { description: "rotate", operations: [{ op: "deployment.update", id: createDeployment.id, deployment: { credentialRef: "env:GW_CRED_OPENAI_2" } }] },
  });
  expect(proposeChange.id).toStartWith("chg_");
});
