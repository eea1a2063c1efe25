// A pending delivery goes to the webhook URL configured now, not the one it was queued with (review rr R5:
// an operator who fixed a wrong BUDGET_WEBHOOK_URL and restarted saw the pending alerts keep POSTing to the
// old URL until given up, 10 attempts and ~17 min later, and never reach the new one).
import { afterAll, beforeAll, expect, test } from "bun:test";
import postgres from "postgres";
import { startTestControlPlane, type TestControlPlane } from "../testing/test-control-plane.ts";
import { startWebhookWorker } from "./deliver-webhooks.ts";
import { raiseAlertIfCrossed } from "./raise-alert.ts";

let t: TestControlPlane;
let sql: postgres.Sql;
beforeAll(async () => {
  t = await startTestControlPlane();
  sql = postgres(t.db.url, { max: 2, onnotice: () => {} });
}, 20_000);
afterAll(async () => {
  await sql?.end({ timeout: 1 });
  await t?.close();
});

function receiver(status: number) {
  const ids: string[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: async (request) => {
      ids.push(((await request.json()) as { alertId: string }).alertId);
      return new Response(null, { status });
    },
  });
  return { url: `http://127.0.0.1:${server.port}/hook`, ids, stop: () => server.stop(true) };
}

test("after BUDGET_WEBHOOK_URL is changed (restart), a pending alert goes to the new URL", async () => {
  const old = receiver(503);
  const fixed = receiver(204);
  try {
    const [alert] = await raiseAlertIfCrossed(sql, { tenantId: "ten_url", scope: "ten:ten_url", period: "day:2026-04-01", timeZone: "UTC", capMicros: 1000, spentMicros: 900 });
    // Before the restart: the old (wrong) URL fails once.
    const before = startWebhookWorker({ sql, url: old.url, log: () => {}, tickMs: 600_000, baseBackoffMs: 1 });
    await before.tick();
    await before.stop();
    expect(old.ids).toEqual([alert!.id]);
    // After the restart with the fixed URL.
    const after = startWebhookWorker({ sql, url: fixed.url, log: () => {}, tickMs: 600_000, baseBackoffMs: 1 });
    await Bun.sleep(20);
    await after.tick();
    await after.stop();
    expect({ old: old.ids.length, fixed: fixed.ids }).toEqual({ old: 1, fixed: [alert!.id] });
  } finally {
    old.stop();
    fixed.stop();
  }
});
