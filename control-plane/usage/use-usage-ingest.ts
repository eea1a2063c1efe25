/**
 * A usage-ingest test file's control plane (useTestControlPlane) with the seeded config (testing/seed.ts)
 * and a connection to its database, for the whole file; registers its own hooks. Its fields are set once
 * the beforeAll hooks have run.
 *
 * @example const ingest = useUsageIngest();
 *          test("...", async () => { const response = await ingest.post({ events: [ingest.event("evt_1")] }); });
 */
import { beforeAll } from "bun:test";
import type postgres from "postgres";
import { USAGE_PATH } from "../../shared/internal-api.ts";
import type { UsageEvent } from "../../shared/usage/usage-event.ts";
import { seedConfig, type Seeded } from "../testing/seed.ts";
import { useTestControlPlane, type TestControlPlane, type TestControlPlaneOverrides } from "../testing/test-control-plane.ts";
import { usageEventFor } from "../testing/usage-event.ts";

export interface UsageIngest {
  t: TestControlPlane;
  s: Seeded;
  sql: postgres.Sql;
  /** A valid event of the seeded config (usageEventFor), with `over` replacing any field. */
  event(id: string, over?: Record<string, unknown>): UsageEvent;
  /** POSTs a batch to the usage route with the EU region's token (or `token`); a string, bytes or a stream (sent chunked) is sent as is. */
  post(body: unknown, token?: string): Promise<Response>;
}

/** `overrides`: extra config for the control plane (useTestControlPlane's). */
export function useUsageIngest(overrides: TestControlPlaneOverrides = {}): UsageIngest {
  const t = useTestControlPlane(overrides);
  const ingest = {
    t,
    event: (id: string, over: Record<string, unknown> = {}) => usageEventFor(ingest.s, id, over),
    post: (body: unknown, token = ingest.s.euToken) =>
      fetch(new URL(USAGE_PATH, t.cp.url), {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: typeof body === "string" || body instanceof Uint8Array || body instanceof ReadableStream ? (body as BodyInit) : JSON.stringify(body),
      }),
  } as UsageIngest;
  beforeAll(async () => {
    ingest.s = await seedConfig(t.admin);
    ingest.sql = t.openSql();
  }, 30_000);
  return ingest;
}
