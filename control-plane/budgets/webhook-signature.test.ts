// The budget webhook is signed when BUDGET_WEBHOOK_SECRET is set (review rr R2: the POST carried nothing a
// receiver could authenticate, so anyone who learned its URL could forge a `budget.threshold_crossed`
// alert, or replay an old one): x-gateway-timestamp and x-gateway-signature = sha256=HMAC(timestamp.body).
import { beforeAll, expect, test } from "bun:test";
import { createHmac } from "node:crypto";
import type postgres from "postgres";
import { configFromEnv } from "../config.ts";
import { webhookReceiver } from "../testing/webhook-receiver.ts";
import { useTestControlPlane } from "../testing/test-control-plane.ts";
import { startWebhookWorker } from "./deliver-webhooks.ts";
import { raiseAlertIfCrossed } from "./raise-alert.ts";

const SECRET = "whsec_0123456789abcdef0123456789abcdef";

const t = useTestControlPlane();
let sql: postgres.Sql;
beforeAll(() => {
  sql = t.openSql(2);
});

test("BUDGET_WEBHOOK_SECRET: optional; at least 32 characters, a shorter one fails the start naming it", () => {
  expect(configFromEnv({}).budgetWebhookSecret).toBeNull();
  expect(configFromEnv({ BUDGET_WEBHOOK_URL: "https://hooks.example.com/x", BUDGET_WEBHOOK_SECRET: SECRET }).budgetWebhookSecret).toBe(SECRET);
  expect(() => configFromEnv({ BUDGET_WEBHOOK_URL: "https://hooks.example.com/x", BUDGET_WEBHOOK_SECRET: "whsec_test" })).toThrow(
    "BUDGET_WEBHOOK_SECRET: must be at least 32 characters, got 10",
  );
});

test("each POST is signed: an HMAC-SHA256 of timestamp.body the receiver can verify, timestamp in unix seconds", async () => {
  const hook = webhookReceiver();
  try {
    await raiseAlertIfCrossed(sql, { tenantId: "ten_sig", scope: "ten:ten_sig", period: "day:2026-03-01", timeZone: "UTC", capMicros: 1000, spentMicros: 900 });
    const worker = startWebhookWorker({ sql, url: hook.url, secret: SECRET, log: () => {}, tickMs: 600_000 });
    await worker.tick();
    await worker.stop();
    expect(hook.received).toHaveLength(1);
    const { headers, body } = hook.received[0]!;
    const timestamp = headers.get("x-gateway-timestamp")!;
    expect(timestamp).toMatch(/^\d+$/);
    expect(Math.abs(Number(timestamp) - Date.now() / 1000)).toBeLessThan(60);
    expect(headers.get("x-gateway-signature")).toBe(`sha256=${createHmac("sha256", SECRET).update(`${timestamp}.${body}`).digest("hex")}`);
    expect(JSON.parse(body).scope).toBe("ten:ten_sig");
  } finally {
    hook.stop();
  }
});

test("without a secret the POST carries no signature headers", async () => {
  const hook = webhookReceiver();
  try {
    await raiseAlertIfCrossed(sql, { tenantId: "ten_unsig", scope: "ten:ten_unsig", period: "day:2026-03-02", timeZone: "UTC", capMicros: 1000, spentMicros: 900 });
    const worker = startWebhookWorker({ sql, url: hook.url, log: () => {}, tickMs: 600_000 });
    await worker.tick();
    await worker.stop();
    const mine = hook.received.filter((s) => JSON.parse(s.body).scope === "ten:ten_unsig");
    expect(mine).toHaveLength(1);
    expect([mine[0]!.headers.get("x-gateway-signature"), mine[0]!.headers.get("x-gateway-timestamp")]).toEqual([null, null]);
  } finally {
    hook.stop();
  }
});
