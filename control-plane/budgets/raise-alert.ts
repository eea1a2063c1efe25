/**
 * The soft-threshold alert: the first time a level's spend reaches `threshold` × cap in a period, one
 * row is written (the unique (scope, period) key makes every later crossing a no-op, across control
 * plane instances too). Delivery to the webhook is the delivery worker's job (deliver-webhooks.ts).
 */
import { randomUUID } from "node:crypto";
import type { Queryable } from "../db/client.ts";

/** Alerts fire at 80% of a cap unless configured otherwise. */
export const DEFAULT_ALERT_THRESHOLD = 0.8;

export interface AlertInput {
  tenantId: string;
  scope: string;
  period: string;
  capMicros: number;
  spentMicros: number;
  threshold?: number;
}

/** Writes the alert if the threshold is crossed and none exists yet; returns its id when it was new. */
export async function raiseAlertIfCrossed(q: Queryable, input: AlertInput): Promise<string | null> {
  const threshold = input.threshold ?? DEFAULT_ALERT_THRESHOLD;
  if (input.capMicros <= 0 || input.spentMicros < input.capMicros * threshold) return null;
  const id = `bal_${randomUUID().replaceAll("-", "")}`;
  const rows = await q<{ id: string }[]>`
    insert into budget_alerts (id, tenant_id, scope, period, threshold, cap_micros, spent_micros)
    values (${id}, ${input.tenantId}, ${input.scope}, ${input.period}, ${threshold}, ${input.capMicros}, ${input.spentMicros})
    on conflict (scope, period) do nothing returning id`;
  return rows[0]?.id ?? null;
}
