/**
 * Leases shared by a region's replicas in Redis: one hash per level, replaced atomically (Lua) only by
 * a lease that expires later, so two replicas saving answers out of order keep the newer one.
 */
import type { Cluster, Redis } from "ioredis";
import type { LeaseStore, StoredLease } from "./lease-store.ts";

/** KEYS: hash. ARGV: granted, cap, expiresAt, exhausted, keyTtlMs. */
const SAVE_LUA = `
local seen = tonumber(redis.call('HGET', KEYS[1], 'exp') or '')
if seen and seen > tonumber(ARGV[3]) then return 0 end
redis.call('HSET', KEYS[1], 'granted', ARGV[1], 'cap', ARGV[2], 'exp', ARGV[3], 'exhausted', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
`;

type ScriptCall = (...args: (string | number)[]) => Promise<unknown>;

/** Creates the store on an ioredis client; `prefix` isolates regions and tests. */
export function createRedisLeaseStore(redis: Redis | Cluster, prefix: string): LeaseStore {
  redis.defineCommand("gatewayLeaseSave", { lua: SAVE_LUA, numberOfKeys: 1 });
  const save = (redis as unknown as Record<string, ScriptCall>).gatewayLeaseSave!.bind(redis);
  const key = (scope: string, period: string) => `${prefix}lease:${period}|${scope}`;
  // Past any month period, so a stale lease cannot outlive its budget.
  const keyTtlMs = 40 * 86_400_000;
  return {
    async load(scope, period): Promise<StoredLease | null> {
      const row = await redis.hgetall(key(scope, period));
      if (!row.exp) return null;
      return { scope, period, grantedMicros: Number(row.granted), capMicros: Number(row.cap), expiresAt: Number(row.exp), exhausted: row.exhausted === "1" };
    },
    async save(lease) {
      await save(key(lease.scope, lease.period), lease.grantedMicros, lease.capMicros, lease.expiresAt, lease.exhausted ? "1" : "0", keyTtlMs);
    },
  };
}
