// Two control plane instances never POST one alert twice, nor count one attempt twice (review rr R1: a pass
// claimed up to 20 deliveries for 2 × timeoutMs, then POSTed them one after another; a slow webhook let the
// later rows' claim lapse while they waited, another instance POSTed them again, and both bumped attempts).
import { beforeAll, expect, test } from "bun:test";
import type postgres from "postgres";
import { webhookReceiver } from "../testing/webhook-receiver.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";
import { startWebhookWorker } from "./deliver-webhooks.ts";
import { raiseAlertIfCrossed } from "./raise-alert.ts";

const t = useTestControlPlane();
let sql: postgres.Sql;
beforeAll(() => {
  sql = t.openSql(4);
});

test("two control plane instances never POST the same alert twice when the webhook is slow (but succeeds)", async () => {
  const hook = webhookReceiver(async () => {
    await Bun.sleep(700); // slow, but well within the 1 s timeout: every POST succeeds
    return new Response(null, { status: 204 });
  });
  const url = hook.url;
  try {
    for (let day = 1; day <= 6; day++)
      await raiseAlertIfCrossed(sql, { tenantId: "ten_dup", scope: "ten:ten_dup", period: `day:2026-02-0${day}`, timeZone: "UTC", capMicros: 1000, spentMicros: 900 });
    const a = startWebhookWorker({ sql, url, log: () => {}, tickMs: 600_000, timeoutMs: 1000 });
    const b = startWebhookWorker({ sql, url, log: () => {}, tickMs: 600_000, timeoutMs: 1000 });
    const first = a.tick(); // before: claimed all six for 2 s, then took ~4.2 s to POST them one by one
    await Bun.sleep(2600);
    await b.tick(); // the other instance's regular tick
    await first;
    await a.stop();
    await b.stop();
    const counts = new Map<string | null, number>();
    for (const { alertId } of hook.received) counts.set(alertId, (counts.get(alertId) ?? 0) + 1);
    const duplicated = [...counts].filter(([, n]) => n > 1);
    expect(duplicated).toEqual([]);
    const rows = await sql<{ attempts: number }[]>`select attempts from webhook_deliveries where url = ${url}`;
    expect(rows.map((r) => r.attempts)).toEqual([1, 1, 1, 1, 1, 1]);
  } finally {
    hook.stop();
  }
}, 30_000);

test("a worker whose claim was taken over while it POSTed records nothing: the holder's outcome stands, the attempt is counted once", async () => {
  const [alert] = await raiseAlertIfCrossed(sql, { tenantId: "ten_lost", scope: "ten:ten_lost", period: "day:2026-02-10", timeZone: "UTC", capMicros: 1000, spentMicros: 900 });
  const hook = webhookReceiver(async () => {
    // As if this worker stalled past its claim and another instance claimed the row meanwhile.
    await sql`update webhook_deliveries set claimed_by = 'other-instance' where alert_id = ${alert!.id}`;
    return new Response(null, { status: 204 });
  });
  const lines: string[] = [];
  try {
    const worker = startWebhookWorker({ sql, url: hook.url, log: (line) => lines.push(line), tickMs: 600_000, timeoutMs: 1000 });
    await worker.tick();
    await worker.stop();
    const [row] = await sql<{ status: string; attempts: number; claimed_by: string }[]>`select status, attempts, claimed_by from webhook_deliveries where alert_id = ${alert!.id}`;
    expect(row).toEqual({ status: "pending", attempts: 0, claimed_by: "other-instance" });
    expect(lines.some((line) => line.includes(alert!.id) && line.includes("outlived its claim"))).toBe(true);
  } finally {
    hook.stop();
  }
});
