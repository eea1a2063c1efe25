/**
 * A deployment's baseUrl is the root the proxy appends the vendor's path to (`/chat/completions`,
 * `/v1/messages`, `/v1beta/models/...`) by string concatenation, so a query, a fragment or surrounding
 * whitespace sent every call to a wrong path. Such a baseUrl is refused with BAD_USER_INPUT naming the
 * field; only an Azure baseUrl may carry a query, and only the `?api-version=` its adapter reads.
 */
import { expect, test } from "bun:test";
import { argumentRefusals, useTestControlPlane, type ArgumentCase } from "../testing/test-control-plane.ts";
import { requireDeploymentBaseUrl } from "./deployment-base-url.ts";

const refusal = (fn: () => unknown) => {
  try {
    fn();
    return "OK";
  } catch (error) {
    return `${(error as { extensions?: { code?: string } }).extensions?.code}: ${(error as Error).message}`;
  }
};
const verdicts = (cases: [string, string][]) => cases.map(([provider, url]) => [provider, url, refusal(() => requireDeploymentBaseUrl("baseUrl", provider, url)).slice(0, 25)]);

const ACCEPTED: [string, string][] = [
  ["openai", "https://api.openai.com/v1"],
  ["openai", "https://api.openai.com/v1/"],
  ["openai", "http://127.0.0.1:4100/v1"],
  ["anthropic", "https://api.anthropic.com"],
  ["anthropic", "https://api.anthropic.com/"],
  ["gemini", "https://generativelanguage.googleapis.com"],
  ["azure", "https://res.openai.azure.com"],
  ["azure", "https://res.openai.azure.com?api-version=2025-04-01-preview"],
  ["azure", "https://res.openai.azure.com/openai?api-version=2024-10-21"],
  ["azure", "https://res.openai.azure.com/openai/v1"],
  // As long as a region's publicUrl may be.
  ["openai", `https://vendor.example/${"v".repeat(2048 - "https://vendor.example/".length)}`],
];

const REFUSED: [string, string][] = [
  ...["openai", "anthropic", "gemini"].flatMap((provider): [string, string][] => [
    [provider, "https://vendor.example/v1?tag=eu"],
    [provider, "https://vendor.example/v1?"],
    [provider, "https://vendor.example/v1?api-version=2024-10-21"],
    [provider, "https://vendor.example/v1#eu"],
    [provider, "https://vendor.example/v1#"],
  ]),
  ...["openai", "azure"].flatMap((provider): [string, string][] => [
    [provider, "https://vendor.example/v1   "],
    [provider, " https://vendor.example/v1"],
    [provider, "https://vendor.example/v1\n"],
    [provider, "\thttps://vendor.example/v1"],
  ]),
  ["azure", "https://res.openai.azure.com?api-version=2024-10-21#x"],
  ["azure", "https://res.openai.azure.com?api-version=2024-10-21&tag=eu"],
  ["azure", "https://res.openai.azure.com?tag=eu"],
  ["azure", "https://res.openai.azure.com?api-version="],
  ["azure", "https://res.openai.azure.com?api-version=2024-10-21&api-version=2025-01-01"],
  ["azure", "https://res.openai.azure.com?api-version=2024-10-21%26x%3D1"],
  ["azure", "https://res.openai.azure.com?"],
  ["azure", "https://res.openai.azure.com/openai/v1?api-version=preview"],
  // Longer than any vendor root: stored in every snapshot of its region and the audit log, and each call's URL.
  ["openai", `https://vendor.example/${"v".repeat(2049 - "https://vendor.example/".length)}`],
  ["anthropic", `https://vendor.example/${"v".repeat(500_000)}`],
];

test("plain vendor roots pass unchanged, and an Azure one may pin ?api-version=", () => {
  expect(verdicts(ACCEPTED)).toEqual(ACCEPTED.map(([p, u]) => [p, u, "OK"]));
  for (const [provider, url] of ACCEPTED) expect(requireDeploymentBaseUrl("baseUrl", provider, url)).toBe(url);
});

test("a query (except Azure's lone api-version), a fragment or surrounding whitespace is BAD_USER_INPUT naming baseUrl", () => {
  expect(verdicts(REFUSED)).toEqual(REFUSED.map(([p, u]) => [p, u, "BAD_USER_INPUT: baseUrl: "]));
});

test("the refusals say why", () => {
  expect(refusal(() => requireDeploymentBaseUrl("baseUrl", "openai", "https://x.example/v1?tag=eu"))).toContain("appends");
  expect(refusal(() => requireDeploymentBaseUrl("baseUrl", "azure", "https://r.openai.azure.com?tag=eu"))).toContain("api-version");
  expect(refusal(() => requireDeploymentBaseUrl("baseUrl", "azure", "https://r.openai.azure.com/openai/v1?api-version=preview"))).toContain("v1");
  expect(refusal(() => requireDeploymentBaseUrl("baseUrl", "openai", "https://x.example/v1 "))).toContain("whitespace");
  expect(refusal(() => requireDeploymentBaseUrl("baseUrl", "openai", `https://x.example/${"v".repeat(3000)}`))).toBe("BAD_USER_INPUT: baseUrl: must be at most 2048 characters");
});

const t = useTestControlPlane();
const dep = { provider: "openai", baseUrl: "https://api.openai.com/v1", model: "gpt-4o-mini", region: "eu", credentialRef: "env:GW_CRED_OPENAI" };
const CREATE = `mutation($i: CreateDeploymentInput!) { createDeployment(input: $i) { id } }`;
const PROPOSE = `mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id } }`;

test("createDeployment, deployment.create and deployment.update refuse such a baseUrl naming the field", async () => {
  const { createDeployment } = await t.admin.request<{ createDeployment: { id: string } }>(CREATE, { i: dep });
  const cases: ArgumentCase[] = REFUSED.flatMap(([provider, baseUrl]): ArgumentCase[] => [
    ["baseUrl", t.adminToken, CREATE, { i: { ...dep, provider, baseUrl } }],
    ["operations[0].deployment.baseUrl", t.adminToken, PROPOSE, { i: { description: "d", operations: [{ op: "deployment.create", deployment: { ...dep, provider, baseUrl } }] } }],
    ["operations[0].deployment.baseUrl", t.adminToken, PROPOSE, { i: { description: "d", operations: [{ op: "deployment.update", id: createDeployment.id, deployment: { provider, baseUrl } }] } }],
  ]);
  expect(await argumentRefusals(t.cp.url, cases)).toEqual(cases.map(([field]) => [field, 200, "BAD_USER_INPUT", true]));
});

test("a baseUrl stored before the check does not block an update that leaves it and the provider as they are", async () => {
  const { createDeployment } = await t.admin.request<{ createDeployment: { id: string } }>(CREATE, { i: dep });
  const sql = t.openSql();
  await sql`update deployments set base_url = ${"https://api.openai.com/v1?tag=eu"} where id = ${createDeployment.id}`;
  const rotate = await t.admin.request<{ proposeChange: { id: string } }>(PROPOSE, {
    i: { description: "rotate", operations: [{ op: "deployment.update", id: createDeployment.id, deployment: { credentialRef: "env:GW_CRED_OPENAI_2" } }] },
  });
  expect(rotate.proposeChange.id).toStartWith("chg_");
  const [moved] = await argumentRefusals(t.cp.url, [
    ["operations[0].deployment.baseUrl", t.adminToken, PROPOSE, { i: { description: "to azure", operations: [{ op: "deployment.update", id: createDeployment.id, deployment: { provider: "azure" } }] } }],
  ]);
  expect(moved).toEqual(["operations[0].deployment.baseUrl", 200, "BAD_USER_INPUT", true]);
});
