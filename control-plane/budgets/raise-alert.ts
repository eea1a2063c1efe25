/**
 * The budget alerts: when a level's spend reaches 80% of its cap, and again when it reaches 100%, one
 * row is written per threshold. The unique (scope, period, time_zone, threshold_percent, cap_micros) key makes a
 * later crossing of the same threshold at the same cap a no-op, across control plane instances too,
 * while a cap changed mid-period (raised in answer to the 80% alert, say) is a new budget and gets its
 * own alerts, and so is the same label in another zone (the org's zone changed: another 24 hours). Delivery to the webhook is the delivery worker's job (deliver-webhooks.ts).
 */
import { randomUUID } from "node:crypto";
import type { Queryable } from "../db/client.ts";

/** The thresholds, in percent of the cap: a warning, then the budget spent (admission stops there). */
export const ALERT_THRESHOLDS_PERCENT = [80, 100] as const;

export interface AlertInput {
  tenantId: string;
  scope: string;
  period: string;
  /** The zone the period is counted in (shared/leases/zoned-period.ts). */
  timeZone: string;
  capMicros: number;
  spentMicros: number;
}

export interface RaisedAlert {
  id: string;
  thresholdPercent: number;
}

/**
 * Writes an alert for every threshold the spend has reached that has none yet at this cap; returns the
 * new ones, lowest threshold first (spend that jumps past both at once raises both: each says its own).
 */
export async function raiseAlertIfCrossed(q: Queryable, input: AlertInput): Promise<RaisedAlert[]> {
  if (input.capMicros <= 0) return [];
  const raised: RaisedAlert[] = [];
  for (const percent of ALERT_THRESHOLDS_PERCENT) {
    if (input.spentMicros * 100 < input.capMicros * percent) break; // the thresholds ascend
    const id = `bal_${randomUUID().replaceAll("-", "")}`;
    const rows = await q<{ id: string }[]>`
      insert into budget_alerts (id, tenant_id, scope, period, time_zone, threshold, threshold_percent, cap_micros, spent_micros)
      values (${id}, ${input.tenantId}, ${input.scope}, ${input.period}, ${input.timeZone}, ${percent / 100}, ${percent}, ${input.capMicros}, ${input.spentMicros})
      on conflict (scope, period, time_zone, threshold_percent, cap_micros) do nothing returning id`;
    if (rows[0]) raised.push({ id: rows[0].id, thresholdPercent: percent });
  }
  return raised;
}
