/**
 * A kill switch on an org reaches the keys of its teams' projects: the control plane publishes every
 * descendant of a disabled tenant as disabled, so a running proxy (which checks only the key's own
 * tenant) refuses a project key within 5 seconds, and serves it again once the org is re-enabled.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import OpenAI from "openai";
import { eventually, startStack, type TestStack } from "../support/stack.ts";
import { addTenant } from "../../control-plane/testing/add-tenant.ts";

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack({ regions: ["eu"], snapshotPollMs: 1000 });
});
afterAll(async () => {
  await stack?.stop();
});

test("org kill switch refuses a project key two levels down within 5 seconds", async () => {
  const org = await addTenant(stack.admin, "ks-org", null);
  const team = await addTenant(stack.admin, "ks-team", org);
  const project = await addTenant(stack.admin, "ks-project", team);
  const sibling = await addTenant(stack.admin, "ks-sibling-org", null);
  const keyOf = async (tenantId: string) =>
    (await stack.admin.request<{ createKey: { secret: string } }>(`mutation($t: ID!) { createKey(input: { tenantId: $t, name: "k" }) { secret } }`, { t: tenantId })).createKey.secret;
  const eu = stack.proxies.eu!;
  const projectClient = new OpenAI({ baseURL: `${eu.url}/v1`, apiKey: await keyOf(project), maxRetries: 0 });
  const siblingClient = new OpenAI({ baseURL: `${eu.url}/v1`, apiKey: await keyOf(sibling), maxRetries: 0 });
  const ask = (c: OpenAI, text: string) => c.chat.completions.create({ model: stack.demo.alias, messages: [{ role: "user", content: text }] });
  const served = await eventually(() => ask(projectClient, "before").then((r) => r, () => undefined), 5000, "the project key to be served");
  expect(served.choices[0]!.message.content).toBe("Echo: before");

  const killedAt = Date.now();
  await stack.admin.request(`mutation($t: KillSwitchTarget!) { killSwitch(target: $t, reason: "incident") { affected } }`, { t: { kind: "tenant", id: org } });
  const refusal = await eventually(() => ask(projectClient, "after").then(() => undefined, (e) => e), 5000, "the proxy to refuse the project key");
  expect(Date.now() - killedAt).toBeLessThan(5000);
  expect(refusal).toBeInstanceOf(OpenAI.AuthenticationError);
  // An unrelated org is untouched.
  expect((await ask(siblingClient, "still")).choices[0]!.message.content).toBe("Echo: still");
  const { tenant } = await stack.admin.request<{ tenant: { status: string } }>(`query($id: ID!) { tenant(id: $id) { status } }`, { id: project });
  expect(tenant.status).toBe("active"); // the row keeps its own status; only the snapshot folds the tree in
}, 30000);
