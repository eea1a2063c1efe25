// The worker needs a webhook answer's status, not its body: it cancels the body (review rr R4: it read it
// whole with response.arrayBuffer() only to discard it, so a receiver, or a proxy in front of it, answering
// 200 with an endless body filled the control plane's memory for as long as timeoutMs let it: ~890 MB in 3 s).
import { beforeAll, expect, test } from "bun:test";
import type postgres from "postgres";
import { webhookReceiver } from "../testing/webhook-receiver.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";
import { startWebhookWorker } from "./deliver-webhooks.ts";
import { raiseAlertIfCrossed } from "./raise-alert.ts";

const t = useTestControlPlane();
let sql: postgres.Sql;
beforeAll(() => {
  sql = t.openSql(2);
});

test("a webhook answering 200 with an endless body costs the control plane a bounded amount of memory", async () => {
  const chunk = new Uint8Array(1 << 20).fill(120);
  let sent = 0;
  const hook = webhookReceiver(
    () =>
      new Response(
        new ReadableStream({
          pull(controller) {
            sent += chunk.length;
            controller.enqueue(chunk);
          },
        }),
        { status: 200 },
      ),
  );
  try {
    await raiseAlertIfCrossed(sql, { tenantId: "ten_big", scope: "ten:ten_big", period: "day:2026-05-01", timeZone: "UTC", capMicros: 1000, spentMicros: 900 });
    const worker = startWebhookWorker({ sql, url: hook.url, log: () => {}, tickMs: 600_000, timeoutMs: 3000 });
    await worker.tick();
    await worker.stop();
    // The worker needs the status line, not the body: at most a few MB should have been read.
    expect(sent).toBeLessThan(16 << 20);
    // And a 200 is still a delivery.
    expect((await sql<{ status: string }[]>`select status from webhook_deliveries where payload->>'tenantId' = 'ten_big'`).map((r) => r.status)).toEqual(["delivered"]);
  } finally {
    hook.stop();
  }
}, 30_000);
