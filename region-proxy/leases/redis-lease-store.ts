/**
 * Leases shared by a region's replicas in Redis: one hash per level, replaced atomically (Lua) only by
 * a lease that expires later, so two replicas saving answers out of order keep the newer one.
 *
 * Expiries are kept on Redis's clock (TIME), the one clock every replica shares: a replica saves the
 * life its lease has left by its own clock, and a replica loading it gets that life back on its own
 * clock. So replicas whose clocks disagree keep the lease that truly lives longer, and none uses a
 * lease past its life. Each conversion is off by at most the one-way latency to Redis.
 */
import type { Cluster, Redis } from "ioredis";
import { LEASE_KEEP_MS, type LeaseStore, type StoredLease } from "./lease-store.ts";

const REDIS_NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/** KEYS: hash. ARGV: granted, cap, ms left (may be negative), exhausted, keyTtlMs. */
const SAVE_LUA = `${REDIS_NOW}
local exp = now + tonumber(ARGV[3])
local seen = tonumber(redis.call('HGET', KEYS[1], 'exp') or '')
if seen and seen > exp then return 0 end
redis.call('HSET', KEYS[1], 'granted', ARGV[1], 'cap', ARGV[2], 'exp', string.format('%.0f', exp), 'exhausted', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
return 1
`;

/** KEYS: hash. Returns { granted, cap, ms left, exhausted }, or nil. */
const LOAD_LUA = `${REDIS_NOW}
local row = redis.call('HMGET', KEYS[1], 'granted', 'cap', 'exp', 'exhausted')
local exp = tonumber(row[3] or '')
if not exp then return nil end
return { row[1], row[2], string.format('%.0f', exp - now), row[4] }
`;

type ScriptCall = (...args: (string | number)[]) => Promise<unknown>;

export interface RedisLeaseStoreOptions {
  /** This replica's clock (default Date.now): the lease client's, as expiries are on it. */
  now?: () => number;
}

/** Creates the store on an ioredis client; `prefix` isolates regions and tests. */
export function createRedisLeaseStore(redis: Redis | Cluster, prefix: string, options: RedisLeaseStoreOptions = {}): LeaseStore {
  const now = options.now ?? Date.now;
  redis.defineCommand("gatewayLeaseSave", { lua: SAVE_LUA, numberOfKeys: 1 });
  redis.defineCommand("gatewayLeaseLoad", { lua: LOAD_LUA, numberOfKeys: 1 });
  const scripts = redis as unknown as Record<string, ScriptCall>;
  const save = scripts.gatewayLeaseSave!.bind(redis);
  const load = scripts.gatewayLeaseLoad!.bind(redis);
  const key = (scope: string, period: string) => `${prefix}lease:${period}|${scope}`;
  // Past any month period, so a stale lease cannot outlive its budget.
  const keyTtlMs = LEASE_KEEP_MS;
  return {
    async load(scope, period): Promise<StoredLease | null> {
      // Life left is counted from before the call: the latency counts against the lease.
      const sentAt = now();
      const row = (await load(key(scope, period))) as [string, string, string, string | null] | null;
      if (!row) return null;
      return { scope, period, grantedMicros: Number(row[0]), capMicros: Number(row[1]), expiresAt: sentAt + Number(row[2]), exhausted: row[3] === "1" };
    },
    async save(lease) {
      await save(key(lease.scope, lease.period), lease.grantedMicros, lease.capMicros, Math.floor(lease.expiresAt - now()), lease.exhausted ? "1" : "0", keyTtlMs);
    },
  };
}
