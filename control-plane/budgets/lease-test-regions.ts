/**
 * For the lease tests: a control plane with the regions `eu` and `us`, a way to ask for leases and to
 * poll snapshots with a region's token, and tenants and keys made through the API (caps written straight to the rows: these
 * tests are about leases, not the change requests that set caps).
 */
import type postgres from "postgres";
import { LEASES_PATH, type LeaseAsk } from "../../shared/leases/lease-wire.ts";
import { PROXY_ID_HEADER, SNAPSHOT_PATH_PREFIX, USAGE_OUTBOX_OLDEST_AGE_HEADER } from "../../shared/internal-api.ts";
import { addKey } from "../testing/add-key.ts";
import { useTestControlPlane, type TestControlPlane } from "../testing/test-control-plane.ts";
import { beforeAll } from "bun:test";

export interface LeaseRegions {
  t: TestControlPlane;
  sql: postgres.Sql;
  /** POSTs `leases` with `region`'s token; the answer's status and body. */
  ask(region: "eu" | "us", leases: LeaseAsk[]): Promise<{ status: number; json: any }>;
  /**
   * GETs `region`'s snapshot with its token as proxy `proxyId` polls it (recorded in `regions { proxies }`),
   * reporting the oldest usage event its outbox has not shipped as `oldestUnshippedAgeMs` old (0: none;
   * no header when omitted, as an older proxy); the status.
   */
  poll(region: "eu" | "us", proxyId: string, oldestUnshippedAgeMs?: number): Promise<number>;
  /** A new tenant (under `parentId` if given, else an org in UTC) with a daily cap of `dailyCapMicros`. */
  tenant(name: string, dailyCapMicros: number | null, parentId?: string): Promise<string>;
  /** A new key of `tenantId` carried only by `allowedRegions`' snapshots (null: every region's). */
  key(tenantId: string, allowedRegions: string[] | null, dailyCapMicros?: number): Promise<string>;
}

/** Registers the beforeAll that fills the returned object in (read it in tests). */
export function useLeaseRegions(): LeaseRegions {
  const t = useTestControlPlane();
  const tokens: Record<string, string> = {};
  const out = { t } as LeaseRegions;
  beforeAll(async () => {
    out.sql = t.openSql(2);
    for (const name of ["eu", "us"]) {
      const { createRegion } = await t.admin.request<{ createRegion: { token: string } }>(`mutation($n: String!) { createRegion(input: { name: $n }) { token } }`, { n: name });
      tokens[name] = createRegion.token;
    }
  });
  out.ask = async (region, leases) => {
    const r = await fetch(new URL(LEASES_PATH, t.cp.url), {
      method: "POST",
      headers: { authorization: `Bearer ${tokens[region]}`, "content-type": "application/json" },
      body: JSON.stringify({ leases }),
    });
    return { status: r.status, json: await r.json() };
  };
  out.poll = async (region, proxyId, oldestUnshippedAgeMs) => {
    const headers: Record<string, string> = { authorization: `Bearer ${tokens[region]}`, [PROXY_ID_HEADER]: proxyId };
    if (oldestUnshippedAgeMs !== undefined) headers[USAGE_OUTBOX_OLDEST_AGE_HEADER] = String(oldestUnshippedAgeMs);
    const r = await fetch(new URL(`${SNAPSHOT_PATH_PREFIX}${region}`, t.cp.url), { headers });
    await r.arrayBuffer();
    return r.status;
  };
  out.tenant = async (name, dailyCapMicros, parentId) => {
    const input = parentId ? { name, parentId, kind: "team" } : { name };
    const { createTenant } = await t.admin.request<{ createTenant: { id: string } }>(`mutation($i: CreateTenantInput!) { createTenant(input: $i) { id } }`, { i: input });
    await out.sql`update tenants set daily_budget_micros = ${dailyCapMicros} where id = ${createTenant.id}`;
    if (!parentId) await out.sql`update tenants set time_zone = 'UTC' where id = ${createTenant.id}`;
    return createTenant.id;
  };
  out.key = async (tenantId, allowedRegions, dailyCapMicros) => {
    const keyId = await addKey(t.admin, tenantId, { name: `k${crypto.randomUUID().slice(0, 8)}`, ...(allowedRegions ? { allowedRegions } : {}) });
    if (dailyCapMicros !== undefined) await out.sql`update gateway_keys set daily_budget_micros = ${dailyCapMicros} where id = ${keyId}`;
    return keyId;
  };
  return out;
}
