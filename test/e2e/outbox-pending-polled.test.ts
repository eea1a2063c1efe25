/**
 * A real proxy reports on each snapshot poll how old the oldest usage event its outbox has not shipped
 * is (x-usage-outbox-oldest-age-ms), and the control plane keeps how far it drained (receive time − age)
 * on the proxy's row: what control-plane/budgets/region-heard.repo.ts needs before it releases a lapsed
 * lease's unspent grant (review FR3: a poll alone does not show the usage shipped; a count of pending
 * events kept a busy region, never empty at a poll, from ever being heard from).
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
/** The proxy's row: when it last polled and how far its outbox had drained then (ms since the epoch). */
const row = async () => {
  const [r] = await sql<{ seen: string; drained: string | null }[]>`
    select (extract(epoch from last_seen_at) * 1000)::bigint::text as seen, (extract(epoch from usage_drained_up_to) * 1000)::bigint::text as drained
    from proxies where region = 'eu' and id = ${PROXY_ID}`;
  return r ? { seen: Number(r.seen), drained: r.drained === null ? null : Number(r.drained) } : null;
};
/** A poll reported an empty outbox (age 0): drained up to the poll itself. */
const drainedAtPoll = async () => {
  const r = await row();
  return r !== null && r.drained === r.seen;
};

test("each snapshot poll carries the age of the oldest event the outbox has not shipped", async () => {
  // A flusher that does not run while the test looks (its first round is an hour away): usage stays in the outbox.
  const eu = await stack.startProxy("eu", { proxyId: PROXY_ID, usageFlushMs: 3_600_000 });
  await eventually(drainedAtPoll, 5000, "a poll reporting an empty outbox");

  const client = new OpenAI({ baseURL: `${eu.url}/v1`, apiKey: stack.demo.keySecret, maxRetries: 0 });
  const asked = Date.now();
  const { response } = await client.chat.completions.create({ model: stack.demo.alias, messages: [{ role: "user", content: "held" }] }).withResponse();
  const requestId = response.headers.get("x-request-id")!;
  // Later polls keep reporting the one held event, ever older: drained up to about when it was recorded.
  await eventually(async () => {
    const r = await row();
    return r !== null && r.drained !== null && r.seen - r.drained >= 1_500;
  }, 8000, "a poll reporting the held event's age");
  const held = (await row())!;
  // One machine, one clock; the poll's transit and the commit (~100 ms) make it a little late, never early.
  expect(held.drained!).toBeGreaterThanOrEqual(asked - 50);
  expect(held.drained!).toBeLessThan(asked + 1_500);

  // A stop ships the outbox; restarted on the same data directory, the proxy reports it empty again.
  await stack.startProxy("eu", { proxyId: PROXY_ID });
  const [shipped] = await sql<{ n: number }[]>`select count(*)::int as n from usage_events where request_id = ${requestId}`;
  expect(shipped!.n).toBe(1);
  await eventually(drainedAtPoll, 5000, "a poll reporting the outbox shipped");
});
