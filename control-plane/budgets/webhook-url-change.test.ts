// A pending delivery goes to the webhook URL configured now, not the one it was queued with (review rr R5:
// an operator who fixed a wrong BUDGET_WEBHOOK_URL and restarted saw the pending alerts keep POSTing to the
// old URL until given up, 10 attempts and ~17 min later, and never reach the new one).
import { beforeAll, expect, test } from "bun:test";
import type postgres from "postgres";
import { webhookReceiver, type WebhookReceiver } from "../testing/webhook-receiver.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";
import { startWebhookWorker } from "./deliver-webhooks.ts";
import { raiseAlertIfCrossed } from "./raise-alert.ts";

const t = useTestControlPlane();
let sql: postgres.Sql;
beforeAll(() => {
  sql = t.openSql(2);
});

const ids = (hook: WebhookReceiver) => hook.received.map((r) => r.alertId);

test("after BUDGET_WEBHOOK_URL is changed (restart), a pending alert goes to the new URL", async () => {
  const old = webhookReceiver(503);
  const fixed = webhookReceiver(204);
  try {
    const [alert] = await raiseAlertIfCrossed(sql, { tenantId: "ten_url", scope: "ten:ten_url", period: "day:2026-04-01", timeZone: "UTC", capMicros: 1000, spentMicros: 900 });
    // Before the restart: the old (wrong) URL fails once.
    const before = startWebhookWorker({ sql, url: old.url, log: () => {}, tickMs: 600_000, baseBackoffMs: 1 });
    await before.tick();
    await before.stop();
    expect(ids(old)).toEqual([alert!.id]);
    // After the restart with the fixed URL.
    const after = startWebhookWorker({ sql, url: fixed.url, log: () => {}, tickMs: 600_000, baseBackoffMs: 1 });
    await Bun.sleep(20);
    await after.tick();
    await after.stop();
    expect({ old: old.received.length, fixed: ids(fixed) }).toEqual({ old: 1, fixed: [alert!.id] });
  } finally {
    old.stop();
    fixed.stop();
  }
});
