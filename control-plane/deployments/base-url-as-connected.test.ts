/**
 * The baseUrl an approver reviews (the change's diff, `deployments`, the audit) names the host the
 * proxy connects to. The proxy hands the stored string to fetch, whose URL parser drops tabs and line
 * breaks anywhere and percent-decodes the host, so a value that is not its own parsed form could read
 * as one vendor and connect to another, carrying that vendor's credential. Such a value is refused with
 * BAD_USER_INPUT naming baseUrl and showing the form it would be read as; nothing is rewritten.
 */
import { expect, test } from "bun:test";
import { AdminApiError } from "../../infra/local/admin-client.ts";
import { argumentRefusals, useTestControlPlane, type ArgumentCase } from "../testing/test-control-plane.ts";
import { requireDeploymentBaseUrl } from "./deployment-base-url.ts";

const DISGUISED = [
  "https://api.openai.com%2eattacker.example/v1", // host api.openai.com.attacker.example
  "https://api.openai.com\n.attacker.example/v1", // same host: the line break is dropped
  "https://api.anthropic.com\t.attacker.example", // same, with a tab
  "https://api.openai.com\r/v1",
];
/** Not disguises, but still not what they would be read as: refused all the same, showing the form to write. */
const NOT_AS_READ: [written: string, read: string][] = [
  ["https://API.openai.com/v1", "https://api.openai.com/v1"],
  ["https://api.openai.com:443/v1", "https://api.openai.com/v1"],
  ["https://api.openai.com/x/../v1", "https://api.openai.com/v1"],
  ["https://api.openai.com/v 1", "https://api.openai.com/v%201"],
  ["https:api.openai.com/v1", "https://api.openai.com/v1"],
  ["https://api.openai.com\\v1", "https://api.openai.com/v1"],
  ["http://0x7f.1/v1", "http://127.0.0.1/v1"],
];
const AS_READ = [
  "https://api.openai.com/v1",
  "https://api.openai.com/v1/",
  "https://api.anthropic.com",
  "https://api.anthropic.com/",
  "http://127.0.0.1:4100/v1",
  "http://[::1]:4100/v1",
  "https://api.openai.com/v%201",
];

const message = (provider: string, url: string) => {
  try {
    requireDeploymentBaseUrl("baseUrl", provider, url);
    return "OK";
  } catch (error) {
    return `${(error as { extensions?: { code?: string } }).extensions?.code}: ${(error as Error).message}`;
  }
};

test("a baseUrl written as it is read passes unchanged (a root may leave out its slash, also before Azure's query)", () => {
  const cases = [...AS_READ.map((u) => ["openai", u]), ["azure", "https://res.openai.azure.com?api-version=2024-10-21"], ["azure", "https://res.openai.azure.com/?api-version=2024-10-21"]];
  expect(cases.map(([p, u]) => [u, message(p!, u!)])).toEqual(cases.map(([, u]) => [u, "OK"]));
});

test("a baseUrl read as another URL is BAD_USER_INPUT naming baseUrl and showing what it is read as", () => {
  const cases: [string, string][] = [...DISGUISED.map((u): [string, string] => [u, new URL(u).href]), ...NOT_AS_READ];
  expect(cases.map(([u, read]) => [u, message("openai", u).startsWith("BAD_USER_INPUT: baseUrl: "), message("openai", u).includes(read)])).toEqual(
    cases.map(([u]) => [u, true, true]),
  );
});

const t = useTestControlPlane();
const dep = { provider: "openai", model: "gpt-4o-mini", region: "eu", credentialRef: "env:GW_CRED_OPENAI" };
const CREATE = `mutation($i: CreateDeploymentInput!) { createDeployment(input: $i) { id baseUrl } }`;
const PROPOSE = `mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { id diff { field after } } }`;

test("createDeployment, deployment.create and deployment.update refuse it naming the field", async () => {
  const { createDeployment } = await t.admin.request<{ createDeployment: { id: string } }>(CREATE, { i: { ...dep, baseUrl: "https://api.openai.com/v1" } });
  const cases: ArgumentCase[] = [...DISGUISED, ...NOT_AS_READ.map(([u]) => u)].flatMap((baseUrl): ArgumentCase[] => [
    ["baseUrl", t.adminToken, CREATE, { i: { ...dep, baseUrl } }],
    ["operations[0].deployment.baseUrl", t.adminToken, PROPOSE, { i: { description: "new vendor", operations: [{ op: "deployment.create", deployment: { ...dep, baseUrl } }] } }],
    ["operations[0].deployment.baseUrl", t.adminToken, PROPOSE, { i: { description: "repoint", operations: [{ op: "deployment.update", id: createDeployment.id, deployment: { baseUrl } }] } }],
  ]);
  expect(await argumentRefusals(t.cp.url, cases)).toEqual(cases.map(([field]) => [field, 200, "BAD_USER_INPUT", true]));
});

test("what an accepted deployment and a proposal's diff show is what the proxy connects to", async () => {
  for (const baseUrl of AS_READ) {
    const { createDeployment } = await t.admin.request<{ createDeployment: { baseUrl: string } }>(CREATE, { i: { ...dep, baseUrl } });
    const { proposeChange } = await t.admin.request<{ proposeChange: { diff: { field: string; after: unknown }[] } }>(PROPOSE, {
      i: { description: "new vendor", operations: [{ op: "deployment.create", deployment: { ...dep, baseUrl } }] },
    });
    const shown = [createDeployment.baseUrl, proposeChange.diff.find((d) => d.field === "baseUrl")!.after as string];
    expect(shown.map((s) => new URL(s).href.replace(/\/$/, ""))).toEqual(shown.map((s) => s.replace(/\/$/, "")));
  }
});

test("the review's repro: each disguised baseUrl is refused, never stored", async () => {
  for (const baseUrl of DISGUISED) {
    const error = await t.admin.request(CREATE, { i: { ...dep, baseUrl } }).then(() => null, (e: unknown) => e);
    expect(error instanceof AdminApiError && error.code === "BAD_USER_INPUT" && error.message.includes("baseUrl")).toBe(true);
  }
});
