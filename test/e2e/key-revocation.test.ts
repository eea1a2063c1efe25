/**
 * Done-when 2: a key revoked through GraphQL is refused by a running proxy within 5 seconds, with the
 * proxy polling at its default interval. Also shows every region's proxies and versions in GraphQL.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import OpenAI from "openai";
import { eventually, startStack, type TestStack } from "../support/stack.ts";

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack({ regions: ["eu"], snapshotPollMs: 1000 });
});
afterAll(async () => {
  await stack?.stop();
});

test("a revoked key is refused within 5 seconds of the mutation", async () => {
  const eu = stack.proxies.eu!;
  const client = new OpenAI({ baseURL: `${eu.url}/v1`, apiKey: stack.demo.keySecret, maxRetries: 0 });
  await eventually(() => eu.snapshotVersion() > 0, 5000, "first snapshot");
  const ok = await client.chat.completions.create({ model: stack.demo.alias, messages: [{ role: "user", content: "before" }] });
  expect(ok.choices[0]!.message.content).toBe("Echo: before");

  const revokedAt = Date.now();
  const { revokeKey } = await stack.admin.request<{ revokeKey: { status: string; revokedAt: string } }>(
    `mutation($id: ID!) { revokeKey(id: $id) { status revokedAt } }`,
    { id: stack.demo.keyId },
  );
  expect(revokeKey.status).toBe("revoked");

  const refusal = await eventually(async () => {
    const error = await client.chat.completions.create({ model: stack.demo.alias, messages: [{ role: "user", content: "after" }] }).then(
      () => undefined,
      (e) => e,
    );
    return error;
  }, 5000, "the proxy to refuse the revoked key");
  expect(Date.now() - revokedAt).toBeLessThan(5000);
  expect(refusal).toBeInstanceOf(OpenAI.AuthenticationError);
  expect(refusal.code).toBe("invalid_api_key");

  const models = await fetch(`${eu.url}/v1/models`, { headers: { authorization: `Bearer ${stack.demo.keySecret}` } });
  expect(models.status).toBe(401);
});

test("GraphQL lists each region's proxies with the snapshot version they run", async () => {
  const eu = stack.proxies.eu!;
  const { configVersion } = await stack.admin.request<{ configVersion: number }>(`{ configVersion }`);
  await eventually(() => eu.snapshotVersion() === configVersion, 5000, "proxy on the latest version");
  const regions = await eventually(async () => {
    const { regions: page } = await stack.admin.request<{ regions: { items: { name: string; snapshotVersion: number; proxies: { id: string; snapshotVersion: number }[] }[] } }>(
      `{ regions { items { name snapshotVersion proxies { id snapshotVersion } } } }`,
    );
    const regions = page.items;
    const region = regions.find((r) => r.name === "eu");
    return region?.proxies.some((p) => p.id === eu.proxyId && p.snapshotVersion === configVersion) ? regions : undefined;
  }, 5000, "the proxy to report its version");
  expect(regions.find((r) => r.name === "eu")!.snapshotVersion).toBe(configVersion);
  const health = (await (await fetch(`${eu.url}/health`)).json()) as { snapshotVersion: number; region: string };
  expect(health).toMatchObject({ snapshotVersion: configVersion, region: "eu" });
});
