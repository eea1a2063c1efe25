/**
 * Delivers budget alerts to the configured webhook: each alert gets one delivery row (so a restart
 * neither loses nor repeats it), claimed by one worker at a time (claimDue), POSTed with an `x-gateway-alert-id`
 * idempotency header (signed when a secret is set: sign-webhook.ts), and retried with exponential backoff and jitter until a 2xx or `maxAttempts`.
 */
import { randomUUID } from "node:crypto";
import type { Sql } from "../db/client.ts";
import { webhookSignatureHeaders } from "./sign-webhook.ts";

export interface WebhookWorkerOptions {
  sql: Sql;
  /** Where alerts are POSTed (BUDGET_WEBHOOK_URL); null = alerts are only listed in GraphQL. */
  url: string | null;
  /** BUDGET_WEBHOOK_SECRET: when set, each POST carries x-gateway-timestamp and x-gateway-signature (sign-webhook.ts). */
  secret?: string | null;
  log: (line: string) => void;
  tickMs?: number;
  /** First retry after this long, doubling per attempt (default 1 s), at most maxBackoffMs (default 5 min). */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
  /** Given up (status failed) after this many attempts (default 10). */
  maxAttempts?: number;
  /** Per POST (default 5 s). */
  timeoutMs?: number;
}

export interface WebhookWorker {
  /** One pass: queue new alerts, deliver what is due. */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

interface DueDelivery {
  id: string;
  alertId: string;
  url: string;
  payload: unknown;
  attempts: number;
}

/**
 * A claim lasts one POST's timeout plus this: the POSTs of a pass run side by side, so every claimed row
 * is answered (or aborted) within timeoutMs of the claim, and the margin covers the claim's and the
 * outcome's round trips to the database. A worker that stalls past it loses the row (see deliver).
 */
const CLAIM_MARGIN_MS = 5000;
/** Rows claimed per pass, POSTed concurrently. */
const CLAIM_BATCH = 20;

/** The retry delay after `attempts` failures: base × 2^(attempts−1), capped, ±20% jitter. */
export function backoffMs(attempts: number, baseMs: number, maxMs: number): number {
  const raw = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempts - 1));
  return Math.round(raw * (0.8 + Math.random() * 0.4));
}

async function post(url: string, secret: string | null, alertId: string, payload: unknown, timeoutMs: number): Promise<string | null> {
  try {
    const body = JSON.stringify(payload);
    const signature = secret ? webhookSignatureHeaders(secret, body, new Date()) : {};
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-gateway-alert-id": alertId, ...signature },
      body,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: "manual",
    });
    // Only the status counts: the body is cancelled unread (an endless or huge answer is never buffered).
    await response.body?.cancel().catch(() => {});
    return response.ok ? null : `HTTP ${response.status}`;
  } catch (error) {
    return (error as Error).message.slice(0, 200);
  }
}

/** Starts the worker loop (a no-op loop when no URL is configured). */
export function startWebhookWorker(options: WebhookWorkerOptions): WebhookWorker {
  const { sql, url, log } = options;
  const secret = options.secret ?? null;
  const base = options.baseBackoffMs ?? 1000;
  const max = options.maxBackoffMs ?? 300_000;
  const maxAttempts = options.maxAttempts ?? 10;
  const timeoutMs = options.timeoutMs ?? 5000;
  let running: Promise<void> | null = null;
  let stopped = false;

  async function queueNewAlerts(target: string): Promise<void> {
    await sql`
      insert into webhook_deliveries (alert_id, url, payload)
      select a.id, ${target}, jsonb_build_object(
        'type', 'budget.threshold_crossed', 'alertId', a.id, 'tenantId', a.tenant_id, 'scope', a.scope, 'period', a.period, 'timeZone', a.time_zone,
        'threshold', a.threshold, 'thresholdPercent', a.threshold_percent, 'capMicros', a.cap_micros, 'spentMicros', a.spent_micros,
        'capUsd', a.cap_micros::float8 / 1000000, 'spentUsd', a.spent_micros::float8 / 1000000, 'createdAt', a.created_at)
      from budget_alerts a
      where a.created_at > now() - interval '2 days'
        and not exists (select 1 from webhook_deliveries d where d.alert_id = a.id)
      on conflict (alert_id) do nothing`;
  }

  /**
   * Claims due rows under a token of this pass until timeoutMs + CLAIM_MARGIN_MS from now; another
   * worker skips a row while its claim runs (`for update skip locked` keeps two claims apart).
   * Each goes to the URL configured now (`target`, recorded on the row): a URL fixed and restarted
   * reaches the alerts still pending, which kept the one they were queued with.
   */
  async function claimDue(target: string, token: string): Promise<DueDelivery[]> {
    const claim = `${timeoutMs + CLAIM_MARGIN_MS} milliseconds`;
    return sql<DueDelivery[]>`
      update webhook_deliveries set claimed_by = ${token}, claim_until = now() + ${claim}::interval, url = ${target}
      where id in (
        select id from webhook_deliveries
        where status = 'pending' and next_attempt_at <= now() and (claim_until is null or claim_until <= now())
        order by id limit ${CLAIM_BATCH} for update skip locked
      )
      returning id::text, alert_id as "alertId", url, payload, attempts`;
  }

  /**
   * POSTs one claimed row and records the outcome only where `token` still holds it: a worker that
   * stalled past its claim, whose row another instance took, writes nothing (the other's outcome stands
   * and the attempt is counted once).
   */
  async function deliver(due: DueDelivery, token: string): Promise<void> {
    const error = await post(due.url, secret, due.alertId, due.payload, timeoutMs);
    const attempts = due.attempts + 1;
    const failed = error !== null && attempts >= maxAttempts;
    const delayMs = backoffMs(attempts, base, max);
    const written =
      error === null
        ? await sql`update webhook_deliveries set status = 'delivered', attempts = ${attempts}, delivered_at = now(), last_error = null,
            claimed_by = null, claim_until = null where id = ${due.id} and claimed_by = ${token}`
        : await sql`update webhook_deliveries set attempts = ${attempts}, last_error = ${error}, status = ${failed ? "failed" : "pending"},
            next_attempt_at = now() + ${`${delayMs} milliseconds`}::interval, claimed_by = null, claim_until = null
            where id = ${due.id} and claimed_by = ${token}`;
    if (written.count === 0) {
      log(`budget webhook: alert ${due.alertId} attempt ${attempts} outlived its claim; another worker holds it, outcome not recorded`);
      return;
    }
    if (error !== null) log(`budget webhook: alert ${due.alertId} attempt ${attempts} failed (${error})${failed ? "; giving up" : `; retrying in ${delayMs} ms`}`);
  }

  async function pass(): Promise<void> {
    if (!url) return;
    await queueNewAlerts(url);
    const token = randomUUID();
    const claimed = await claimDue(url, token);
    await Promise.all(claimed.map((due) => deliver(due, token).catch((error: unknown) => log(`budget webhook: alert ${due.alertId}: ${(error as Error).message}`))));
  }

  function tick(): Promise<void> {
    running ??= pass()
      .catch((error: unknown) => log(`budget webhook: ${(error as Error).message}`))
      .finally(() => {
        running = null;
      });
    return running;
  }

  const timer = setInterval(() => {
    if (!stopped) void tick();
  }, options.tickMs ?? 1000);
  return {
    tick,
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
