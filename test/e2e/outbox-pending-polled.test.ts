/**
 * A real proxy reports its usage outbox backlog on each snapshot poll (x-usage-outbox-pending), and the
 * control plane keeps it on the proxy's row: what control-plane/budgets/region-heard.repo.ts needs before
 * it releases a lapsed lease's unspent grant (review FR3: a poll alone does not show the usage shipped).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import OpenAI from "openai";
import postgres from "postgres";
import { eventually, startStack, type TestStack } from "../support/stack.ts";

let stack: TestStack;
let sql: postgres.Sql;
beforeAll(async () => {
  stack = await startStack({ regions: ["eu"] });
  sql = postgres(stack.db.url, { max: 1, onnotice: () => {} });
});
afterAll(async () => {
  await sql?.end({ timeout: 1 });
  await stack?.stop();
});

const PROXY_ID = "eu-pending-1";
const pending = async () => {
  const [row] = await sql<{ pending: string | null }[]>`select usage_outbox_pending::text as pending from proxies where region = 'eu' and id = ${PROXY_ID}`;
  return row?.pending;
};

test("each snapshot poll carries the events the outbox has not shipped", async () => {
  // A flusher that does not run while the test looks (its first round is an hour away): usage stays in the outbox.
  const eu = await stack.startProxy("eu", { proxyId: PROXY_ID, usageFlushMs: 3_600_000 });
  await eventually(async () => (await pending()) === "0", 5000, "a poll reporting an empty outbox");

  const client = new OpenAI({ baseURL: `${eu.url}/v1`, apiKey: stack.demo.keySecret, maxRetries: 0 });
  const { response } = await client.chat.completions.create({ model: stack.demo.alias, messages: [{ role: "user", content: "held" }] }).withResponse();
  const requestId = response.headers.get("x-request-id")!;
  await eventually(async () => (await pending()) === "1", 5000, "a poll reporting the one held event");

  // A stop ships the outbox; restarted on the same data directory, the proxy reports it empty again.
  await stack.startProxy("eu", { proxyId: PROXY_ID });
  const [shipped] = await sql<{ n: number }[]>`select count(*)::int as n from usage_events where request_id = ${requestId}`;
  expect(shipped!.n).toBe(1);
  await eventually(async () => (await pending()) === "0", 5000, "a poll reporting the outbox shipped");
});
