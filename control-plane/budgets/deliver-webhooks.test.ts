import { beforeAll, expect, test } from "bun:test";
import type postgres from "postgres";
import { webhookReceiver } from "../testing/webhook-receiver.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";
import { backoffMs, startWebhookWorker } from "./deliver-webhooks.ts";
import { raiseAlertIfCrossed } from "./raise-alert.ts";

// This control plane runs without a webhook URL, so its own worker queues and sends nothing.
const t = useTestControlPlane();
let sql: postgres.Sql;
beforeAll(() => {
  sql = t.openSql(2);
});

/** The 80% alert's id for `period` (90% spent by default), null when none was raised. */
const alert = async (period: string, spentMicros = 900) =>
  (await raiseAlertIfCrossed(sql, { tenantId: "ten_x", scope: "ten:ten_x", period, timeZone: "UTC", capMicros: 1000, spentMicros }))[0]?.id ?? null;

test("below the threshold nothing is raised; without a URL alerts are only listed", async () => {
  expect(await alert("day:2026-01-01", 799)).toBeNull();
  const id = await alert("day:2026-01-02");
  expect(id).toMatch(/^bal_/);
  const idle = startWebhookWorker({ sql, url: null, log: () => {}, tickMs: 60_000 });
  await idle.tick();
  await idle.stop();
  expect(await sql`select 1 from webhook_deliveries where alert_id = ${id}`).toHaveLength(0);
});

test("a webhook that keeps failing is given up after maxAttempts, with growing delays", async () => {
  const down = webhookReceiver(500);
  const logs: string[] = [];
  try {
    const id = await alert("day:2026-01-03");
    const worker = startWebhookWorker({ sql, url: down.url, log: (l) => logs.push(l), tickMs: 60_000, baseBackoffMs: 40, maxBackoffMs: 1000, maxAttempts: 3 });
    const states: { attempts: number; status: string }[] = [];
    for (let i = 0; i < 40 && states.at(-1)?.status !== "failed"; i++) {
      await worker.tick();
      const [row] = await sql<{ attempts: number; status: string }[]>`select attempts, status from webhook_deliveries where alert_id = ${id}`;
      if (row && row.attempts !== states.at(-1)?.attempts) states.push(row);
      await Bun.sleep(30);
    }
    await worker.stop();
    expect(states).toEqual([
      { attempts: 1, status: "pending" },
      { attempts: 2, status: "pending" },
      { attempts: 3, status: "failed" },
    ]);
    // (The alert from the test before is queued too, now that a URL is set: count this one's POSTs.)
    const mine = down.received.filter((r) => r.alertId === id).map((r) => JSON.parse(r.body));
    expect(mine).toHaveLength(3);
    expect(mine[0]).toMatchObject({ type: "budget.threshold_crossed", alertId: id, scope: "ten:ten_x", period: "day:2026-01-03", timeZone: "UTC", threshold: 0.8, thresholdPercent: 80, capMicros: 1000, spentMicros: 900 });
    expect(logs.at(-1)).toContain("giving up");
  } finally {
    down.stop();
  }
});

test("backoff doubles per attempt within ±20%, capped", () => {
  for (let attempts = 1; attempts <= 4; attempts++) {
    const delay = backoffMs(attempts, 1000, 5000);
    const nominal = Math.min(5000, 1000 * 2 ** (attempts - 1));
    expect(delay).toBeGreaterThanOrEqual(nominal * 0.8);
    expect(delay).toBeLessThanOrEqual(nominal * 1.2);
  }
});
