/**
 * Done-when 1: an alias change goes propose → diff → (author cannot approve) → approver approves →
 * new snapshot version at the proxy → requests routed by the new chain; then rolled back the same way.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import OpenAI from "openai";
import { errorCode, principalWith, type ActingPrincipal } from "../../control-plane/testing/principals.ts";
import { eventually, startStack, type TestStack } from "../support/stack.ts";

let stack: TestStack;
let author: ActingPrincipal;
let approver: ActingPrincipal;
beforeAll(async () => {
  stack = await startStack({ regions: ["eu"], snapshotPollMs: 200 });
  author = await principalWith(stack.admin, stack.controlPlane.url, "alice", [{ role: "approver" }]);
  approver = await principalWith(stack.admin, stack.controlPlane.url, "bob", [{ role: "approver" }]);
});
afterAll(async () => {
  await stack?.stop();
});

const CR_FIELDS = `id status author kind baseVersion appliedVersion diff { entity id field before after } approvals { approver }`;

async function routedModel(client: OpenAI): Promise<string | null> {
  const { response } = await client.chat.completions.create({ model: stack.demo.alias, messages: [{ role: "user", content: "hi" }] }).withResponse();
  return response.headers.get("x-gateway-model");
}

test("alias change: propose, diff, self-approval refused, approve, proxy routes by the new chain, roll back", async () => {
  const eu = stack.proxies.eu!;
  const client = new OpenAI({ baseURL: `${eu.url}/v1`, apiKey: stack.demo.keySecret, maxRetries: 0 });
  const { configVersion: startVersion } = await stack.admin.request<{ configVersion: number }>(`{ configVersion }`);
  await eventually(() => eu.snapshotVersion() === startVersion, 5000, "proxy on the seeded version");
  expect(await routedModel(client)).toBe("echo-1");

  // A second deployment in the same region, added by the bootstrap admin (the direct path).
  const { createDeployment } = await stack.admin.request<{ createDeployment: { id: string } }>(
    `mutation($i: CreateDeploymentInput!) { createDeployment(input: $i) { id } }`,
    { i: { provider: "openai", baseUrl: `${stack.echo.url}/v1`, model: "echo-2", region: "eu", credentialRef: "env:ECHO_VENDOR_API_KEY", jurisdiction: "eu" } },
  );
  // Priced before an alias routes to it: an alias may not route to an unpriced model.
  await stack.admin.request(`mutation { setPrice(input: { provider: "openai", model: "echo-2", inputUsdPerMillion: 1, outputUsdPerMillion: 1 }) { model } }`);
  const { aliases } = await stack.admin.request<{ aliases: { items: { name: string; deploymentIds: string[] }[] } }>(`{ aliases { items { name deploymentIds } } }`);
  const oldChain = aliases.items.find((a) => a.name === stack.demo.alias)!.deploymentIds;
  const { configVersion: beforeChange } = await stack.admin.request<{ configVersion: number }>(`{ configVersion }`);

  const { proposeChange } = await author.client.request<{ proposeChange: any }>(
    `mutation($i: ProposeChangeInput!) { proposeChange(input: $i) { ${CR_FIELDS} } }`,
    { i: { description: "route support-fast to echo-2", operations: [{ op: "alias.update", alias: { name: stack.demo.alias, deploymentIds: [createDeployment.id] } }] } },
  );
  expect(proposeChange).toMatchObject({ status: "pending", author: author.id, kind: "change", baseVersion: beforeChange, approvals: [] });
  expect(proposeChange.diff).toEqual([{ entity: "alias", id: stack.demo.alias, field: "deploymentIds", before: oldChain, after: [createDeployment.id] }]);
  // Proposing applies nothing.
  expect((await stack.admin.request<{ configVersion: number }>(`{ configVersion }`)).configVersion).toBe(beforeChange);

  expect(await errorCode(author.client.request(`mutation($id: ID!) { approveChange(id: $id) { id } }`, { id: proposeChange.id }))).toBe("SELF_APPROVAL");

  const { approveChange } = await approver.client.request<{ approveChange: any }>(`mutation($id: ID!) { approveChange(id: $id) { ${CR_FIELDS} } }`, { id: proposeChange.id });
  expect(approveChange.status).toBe("applied");
  expect(approveChange.approvals).toEqual([{ approver: approver.id }]);
  expect(approveChange.appliedVersion).toBe(beforeChange + 1);
  await eventually(() => eu.snapshotVersion() === approveChange.appliedVersion, 5000, "proxy on the applied version");
  expect(await routedModel(client)).toBe("echo-2");

  // Approving again once applied is a conflict.
  expect(await errorCode(approver.client.request(`mutation($id: ID!) { approveChange(id: $id) { id } }`, { id: proposeChange.id }))).toBe("CONFLICT");

  // Roll back to the version before the change, through the same review.
  const { proposeRollback } = await approver.client.request<{ proposeRollback: any }>(
    `mutation($v: Int!) { proposeRollback(toVersion: $v) { ${CR_FIELDS} } }`,
    { v: beforeChange },
  );
  expect(proposeRollback.kind).toBe("rollback");
  expect(proposeRollback.diff).toEqual([{ entity: "alias", id: stack.demo.alias, field: "deploymentIds", before: [createDeployment.id], after: oldChain }]);
  expect(await errorCode(approver.client.request(`mutation($id: ID!) { approveChange(id: $id) { id } }`, { id: proposeRollback.id }))).toBe("SELF_APPROVAL");
  const rolled = await author.client.request<{ approveChange: any }>(`mutation($id: ID!) { approveChange(id: $id) { ${CR_FIELDS} } }`, { id: proposeRollback.id });
  expect(rolled.approveChange.status).toBe("applied");
  await eventually(() => eu.snapshotVersion() === rolled.approveChange.appliedVersion, 5000, "proxy on the rolled-back version");
  expect(await routedModel(client)).toBe("echo-1");

  // Every step is in the audit log, attributed, with the client address.
  const { auditLog } = await stack.admin.request<{ auditLog: { items: { action: string; actor: string; target: string; clientAddress: string | null }[] } }>(
    `{ auditLog(first: 100) { items { action actor target clientAddress } } }`,
  );
  const mine = auditLog.items.filter((e) => e.target === proposeChange.id || e.target === proposeRollback.id);
  expect(mine.map((e) => `${e.action}:${e.actor}`).sort()).toEqual(
    [
      `change.propose:${author.id}`,
      `refused.approveChange:${author.id}`,
      `change.approve:${approver.id}`,
      `change.apply:${approver.id}`,
      `refused.approveChange:${approver.id}`,
      `change.proposeRollback:${approver.id}`,
      `refused.approveChange:${approver.id}`,
      `change.approve:${author.id}`,
      `change.apply:${author.id}`,
    ].sort(),
  );
  expect(mine.every((e) => e.clientAddress === "127.0.0.1" || e.clientAddress === "::1" || e.clientAddress === "::ffff:127.0.0.1")).toBe(true);
}, 30_000);
