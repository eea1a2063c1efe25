/**
 * Review rq Q3: the control plane took a usage event's attempt trail (per deployment tried: outcome and
 * coded reason) and fallback flag, and stored neither: usage_events had no column for them and
 * insertUsageEvents mapped only `attempts`. Once the proxy's outbox was acknowledged, "why did request X
 * fall back, and from what" could no longer be answered anywhere. Migration 0106 adds the columns.
 */
import { expect, test } from "bun:test";
import { MAX_STORED_TRAIL_STEPS } from "./stored-attempt-trail.ts";
import { useUsageIngest } from "./use-usage-ingest.ts";

const ingest = useUsageIngest();

const stored = async (id: string) => {
  const [row] = await ingest.sql<{ row: Record<string, unknown> }[]>`select to_jsonb(u) as row from usage_events u where event_id = ${id}`;
  expect(row).toBeDefined();
  return row!.row;
};

test("an ingested event's attempt trail and fallback flag are kept with it", async () => {
  const attemptTrail = [
    { deploymentId: ingest.s?.euDeploymentId ?? "dep", provider: "openai", vendorModel: "gpt-4o-mini", outcome: "error", reason: "status_503", latencyMs: 40 },
    { deploymentId: "dep_second", provider: "anthropic", vendorModel: "claude-x", outcome: "ok", reason: null, latencyMs: 300 },
  ];
  const response = await ingest.post({ events: [ingest.event("evt_rq_trail", { attempts: 2, fallback: true, attemptTrail })] });
  expect(response.status).toBe(200);
  const row = await stored("evt_rq_trail");
  expect(row.attempts).toBe(2);
  expect(row.attempt_trail).toEqual(attemptTrail);
  expect(row.fallback).toBe(true);
});

test("an event sent without them (an older proxy) stores nulls; a step's unknown fields are dropped", async () => {
  const step = { deploymentId: "dep_a", provider: "openai", vendorModel: "m", outcome: "ok", reason: null, latencyMs: 1 };
  const response = await ingest.post({
    events: [ingest.event("evt_rq_old"), ingest.event("evt_rq_extra", { fallback: false, attemptTrail: [{ ...step, note: "x".repeat(1000) }] })],
  });
  expect(response.status).toBe(200);
  const old = await stored("evt_rq_old");
  expect(old.attempt_trail).toBeNull();
  expect(old.fallback).toBeNull();
  const extra = await stored("evt_rq_extra");
  expect(extra.attempt_trail).toEqual([step]);
  expect(extra.fallback).toBe(false);
});

test("a trail longer than any walk makes keeps its first steps, and the event is booked", async () => {
  const steps = Array.from({ length: MAX_STORED_TRAIL_STEPS + 10 }, (_, i) => ({
    deploymentId: `dep_${i}`, provider: "openai", vendorModel: "m", outcome: "skipped", reason: "circuit_open", latencyMs: 0,
  }));
  const response = await ingest.post({ events: [ingest.event("evt_rq_long", { attemptTrail: steps })] });
  expect(response.status).toBe(200);
  expect(await stored("evt_rq_long").then((r) => r.attempt_trail)).toEqual(steps.slice(0, MAX_STORED_TRAIL_STEPS));
});
