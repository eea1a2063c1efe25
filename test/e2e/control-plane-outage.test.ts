/**
 * Done-when 4: with the control plane stopped, a proxy restarted on its existing data directory
 * serves from its stored snapshot; the usage of those requests reaches the ledger once the control
 * plane is back, exactly once.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import OpenAI from "openai";
import postgres from "postgres";
import { eventually, startStack, type TestStack } from "../support/stack.ts";

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack({ regions: ["eu"] });
});
afterAll(async () => {
  await stack?.stop();
});

test("a proxy restarted while the control plane is down serves from its stored snapshot, and its usage lands exactly once", async () => {
  const eu = stack.proxies.eu!;
  await eventually(() => eu.snapshotVersion() > 0, 5000, "first snapshot");
  const version = eu.snapshotVersion();

  await stack.controlPlane.stop();
  const restarted = await stack.startProxy("eu"); // stops `eu` first, then starts on its data directory
  await eventually(async () => (await fetch(`${restarted.url}/ready`)).status === 200, 5000, "ready from the stored snapshot");
  expect(restarted.snapshotVersion()).toBe(version);
  const health = (await (await fetch(`${restarted.url}/health`)).json()) as { controlPlaneReachable: boolean };
  expect(health.controlPlaneReachable).toBe(false);

  const client = new OpenAI({ baseURL: `${restarted.url}/v1`, apiKey: stack.demo.keySecret, maxRetries: 0 });
  const requestIds: string[] = [];
  for (let i = 0; i < 5; i++) {
    const { response } = await client.chat.completions
      .create({ model: stack.demo.alias, messages: [{ role: "user", content: `offline ${i}` }], ...(i % 2 ? { stream: true } : {}) })
      .withResponse();
    if (i % 2) await response.text();
    requestIds.push(response.headers.get("x-request-id")!);
  }
  // Let a few delivery attempts fail against the absent control plane.
  await Bun.sleep(700);

  await stack.startControlPlane();
  const sql = postgres(stack.db.url, { max: 1, onnotice: () => {} });
  try {
    const rows = await eventually(async () => {
      const found = await sql<{ request_id: string; n: number }[]>`
        select request_id, count(*)::int as n from usage_events where request_id in ${sql(requestIds)} group by request_id`;
      return found.length === requestIds.length ? found : undefined;
    }, 8000, "the offline usage to reach the ledger");
    expect(rows.every((row) => row.n === 1)).toBe(true);

    // Stop the proxy (final flush) and wait past several flush intervals: nothing is delivered twice.
    await restarted.stop();
    await Bun.sleep(500);
    const [counted] = await sql<{ total: number }[]>`select count(*)::int as total from usage_events where request_id in ${sql(requestIds)}`;
    expect(counted!.total).toBe(requestIds.length);
  } finally {
    await sql.end({ timeout: 1 });
  }
  delete stack.proxies.eu;
});
