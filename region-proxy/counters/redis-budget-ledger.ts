/**
 * BudgetLedger shared by a region's replicas through Redis; every operation is one Lua script, so a
 * reservation is checked and taken on every level at once, and settle/release are idempotent.
 *
 * Per level (scope, period), three keys: a hash {spent, reserved, ver}, a sorted set of live
 * reservation ids scored by expiry, and a hash id → micros. Every script first drops expired
 * reservations (Redis server TIME) from `reserved`, so a reservation a crashed replica never settled
 * stops counting after its TTL. A per-reservation "finished" key (SET NX with a TTL) makes a second
 * settle/release a no-op even after the reservation itself has expired.
 * A level whose keys Redis holds as another type (a hand-written key) is checked for before anything is
 * written: a reserve touching it is refused with a RedisKeyError (nothing reserved), a settle or release
 * finishes every other level and then throws one naming the key (redis-key-error.ts).
 * Keys: all carry one hash tag `{<hashTag>}` (default "bg") for the same reason as the rate limiter:
 * a request's levels are combined differently by other requests, so only a common slot keeps every
 * script Redis Cluster safe.
 */
import type { Cluster, Redis } from "ioredis";
import { assertMicros, assertReservationTtl, budgetLevels, budgetRefused, newReservationId } from "./budget-levels.ts";
import {
  DEFAULT_RESERVATION_TTL_MS, DEFAULT_SETTLED_MEMORY_MS,
  type BudgetCheck, type BudgetLedgerOptions, type Reservation, type ReserveOptions, type ReserveResult, type RemoteBudgetLedger,
} from "./budget-types.ts";
import { RedisKeyError } from "./redis-key-error.ts";

export interface RedisBudgetLedgerOptions extends BudgetLedgerOptions {
  /** Key prefix (tests pass createTestRedis().prefix). */
  prefix?: string;
  /** Cluster hash tag shared by all ledger keys (default "bg"). */
  hashTag?: string;
  /** Idle level keys expire after this long (default 40 days: past any month period). */
  levelKeyTtlMs?: number;
}

/** Shared preamble: server time and the purge of expired reservations for level i (KEYS offset o). */
const PRELUDE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local function purge(h, z, m)
  -- In batches, until none is left: an expired hold left for a later call would still count now
  -- (300 holds of a crashed replica refused the level's next reserve). Each id is purged only once.
  repeat
    local expired = redis.call('ZRANGEBYSCORE', z, '-inf', now, 'LIMIT', 0, 200)
    for _, id in ipairs(expired) do
      local micros = tonumber(redis.call('HGET', m, id) or '0') or 0
      if micros > 0 then redis.call('HINCRBY', h, 'reserved', -micros) end
      redis.call('HDEL', m, id)
      redis.call('ZREM', z, id)
    end
  until #expired < 200
end
-- A level whose keys are not the ledger's (another type, or a count that is not an integer): the key
-- and what it holds, else nil. Asked of every level before a script writes anything, so a script
-- either applies or refuses (an error mid-script would leave the levels before it written).
local function foreign(h, z, m)
  for _, kt in ipairs({{h, 'hash'}, {z, 'zset'}, {m, 'hash'}}) do
    local t = redis.call('TYPE', kt[1]).ok
    if t ~= 'none' and t ~= kt[2] then return {kt[1], 'a ' .. t} end
  end
  local counts = redis.call('HMGET', h, 'spent', 'reserved')
  for _, v in ipairs({counts[1], counts[2]}) do
    if v and not string.match(v, '^%-?%d+$') then return {h, 'a hash with a count that is not an integer'} end
  end
  return nil
end
local function touch(h, z, m, ttl)
  redis.call('PEXPIRE', h, ttl)
  redis.call('PEXPIRE', z, ttl)
  redis.call('PEXPIRE', m, ttl)
end
`;

/**
 * KEYS: per level h, z, m. ARGV: micros, id, reservationTtlMs, levelKeyTtlMs, caps per level.
 * Answers {1} (reserved), {0, level, spent, reserved} (refused) or {2, level, key, type} (a level's
 * keys are not the ledger's: nothing reserved). The refusing level named is the first whose spend
 * alone leaves no room (spent + micros > cap), else the first refusing one (only held by reservations
 * in flight): a level held is not the answer while a later one is spent (budgetRefused).
 */
const RESERVE_LUA = `${PRELUDE}
local micros = tonumber(ARGV[1])
local n = #KEYS / 3
for i = 1, n do
  local bad = foreign(KEYS[3 * i - 2], KEYS[3 * i - 1], KEYS[3 * i])
  if bad then return {2, i, bad[1], bad[2]} end
end
local held = nil
for i = 1, n do
  local h, z, m = KEYS[3 * i - 2], KEYS[3 * i - 1], KEYS[3 * i]
  purge(h, z, m)
  local spent = tonumber(redis.call('HGET', h, 'spent') or '0') or 0
  local reserved = tonumber(redis.call('HGET', h, 'reserved') or '0') or 0
  local cap = tonumber(ARGV[4 + i])
  if spent + micros > cap then return {0, i, spent, reserved} end
  if not held and spent + reserved + micros > cap then held = {0, i, spent, reserved} end
end
if held then return held end
for i = 1, n do
  local h, z, m = KEYS[3 * i - 2], KEYS[3 * i - 1], KEYS[3 * i]
  redis.call('HINCRBY', h, 'reserved', micros)
  redis.call('ZADD', z, now + tonumber(ARGV[3]), ARGV[2])
  redis.call('HSET', m, ARGV[2], micros)
  touch(h, z, m, ARGV[4])
end
return {1}
`;

/**
 * KEYS: finished marker, then per level h, z, m. ARGV: id, actual micros ("" = release), memoryMs,
 * levelKeyTtlMs, queuedAt (epoch ms the settle was queued at while Redis failed; "" = sent at once).
 * Answers {0} (finished before), else {1, then key and type of each level whose keys
 * are not the ledger's}: those levels are skipped (they cannot take a count until the key is
 * removed; a lease's repair sets it afresh then), every other one is finished, and the marker is set
 * only once all of it is known to apply. A queued settle adds no spend to a level repaired (set from
 * the ledger) at or after it was queued: its event may already be in that ledger (see `repair`).
 */
const FINISH_LUA = `${PRELUDE}
local actual = tonumber(ARGV[2])
local queuedAt = tonumber(ARGV[5])
local n = (#KEYS - 1) / 3
local skipped, refused = {}, {}
for i = 1, n do
  local bad = foreign(KEYS[3 * i - 1], KEYS[3 * i], KEYS[3 * i + 1])
  if bad then
    skipped[i] = true
    refused[#refused + 1] = bad[1]
    refused[#refused + 1] = bad[2]
  end
end
if not redis.call('SET', KEYS[1], '1', 'NX', 'PX', ARGV[3]) then return {0} end
for i = 1, n do
  local h, z, m = KEYS[3 * i - 1], KEYS[3 * i], KEYS[3 * i + 1]
  if not skipped[i] then
    purge(h, z, m)
    local micros = tonumber(redis.call('HGET', m, ARGV[1]) or '0') or 0
    if micros > 0 then redis.call('HINCRBY', h, 'reserved', -micros) end
    redis.call('HDEL', m, ARGV[1])
    redis.call('ZREM', z, ARGV[1])
    local repairedAt = queuedAt and tonumber(redis.call('HGET', h, 'rat') or '')
    if actual and not (repairedAt and queuedAt <= repairedAt) then redis.call('HINCRBY', h, 'spent', actual) end
    touch(h, z, m, ARGV[4])
  end
end
return {1, unpack(refused)}
`;

/**
 * KEYS: h. ARGV: spent, version, levelKeyTtlMs, repairedAt (epoch ms the ledger's figure dates from).
 * Applies only a strictly newer version, and keeps its repairedAt for queued settles (FINISH_LUA).
 */
const REPAIR_LUA = `
local ver = tonumber(redis.call('HGET', KEYS[1], 'ver') or '')
if ver and tonumber(ARGV[2]) <= ver then return 0 end
redis.call('HSET', KEYS[1], 'spent', ARGV[1], 'ver', ARGV[2], 'rat', ARGV[4])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`;

/** KEYS: h, z, m. Purges (a write) so an expired reservation is not reported. */
const STATUS_LUA = `${PRELUDE}
local bad = foreign(KEYS[1], KEYS[2], KEYS[3])
if bad then return redis.error_reply('WRONGTYPE budget key ' .. bad[1] .. ' holds ' .. bad[2]) end
purge(KEYS[1], KEYS[2], KEYS[3])
return {tonumber(redis.call('HGET', KEYS[1], 'spent') or '0') or 0, tonumber(redis.call('HGET', KEYS[1], 'reserved') or '0') or 0}
`;

type ScriptCall = (...args: (string | number)[]) => Promise<unknown>;

/** "key k holds a string" for each (key, type) pair a script reported. */
function foreignKeys(pairs: string[]): string {
  const said: string[] = [];
  for (let i = 0; i + 1 < pairs.length; i += 2) said.push(`budget key ${pairs[i]} holds ${pairs[i + 1]}`);
  return said.join("; ");
}

/**
 * Creates a ledger on an ioredis client (the commands are defined on that client).
 *
 * The Redis ledger takes what the resilient counters (resilient-counters.ts) tell it of time: a settle
 * queued while Redis failed and replayed later may find the level repaired from a ledger that already
 * holds its event (shipped by the outbox meanwhile, typically within a second or two, while the replay
 * waits for Redis and for this or another replica's recovery). Added then, it would be counted twice
 * for the rest of the period, as nothing lowers a counter. So a repair keeps when it dates from (the
 * lease client gives when its request was sent, before the control plane read the ledger), and a queued
 * settle adds no spend to a level repaired as of or after it was queued. One queued shortly before the
 * request (within about the outbox's shipping delay) whose event was not yet in that ledger is then not
 * counted until the ledger passes the counter again (a lease answer raises it, only upwards:
 * lease-client.ts), which under steady traffic may be never in the period: a bounded under-count (the
 * region may overspend by about that spend), chosen over counting the outage's settles twice. Both
 * times are on the replicas' own clocks: the rule assumes a region's replicas' clocks agree within about
 * the outbox's shipping delay, which nothing checks (clock-skew-note.ts warns only of a proxy's skew
 * against the control plane).
 */
export function createRedisBudgetLedger(redis: Redis | Cluster, options: RedisBudgetLedgerOptions = {}): RemoteBudgetLedger {
  const prefix = `${options.prefix ?? ""}{${options.hashTag ?? "bg"}}:bg:`;
  const ttl = options.reservationTtlMs ?? DEFAULT_RESERVATION_TTL_MS;
  const memory = options.settledMemoryMs ?? DEFAULT_SETTLED_MEMORY_MS;
  const levelTtl = options.levelKeyTtlMs ?? 40 * 86_400_000;
  const scripts = { gatewayBudgetReserve: RESERVE_LUA, gatewayBudgetFinish: FINISH_LUA, gatewayBudgetRepair: REPAIR_LUA, gatewayBudgetStatus: STATUS_LUA };
  for (const [name, lua] of Object.entries(scripts)) redis.defineCommand(name, { lua });
  const call = (name: keyof typeof scripts) => (redis as unknown as Record<string, ScriptCall>)[name]!.bind(redis);
  const [reserveCmd, finishCmd, repairCmd, statusCmd] = [call("gatewayBudgetReserve"), call("gatewayBudgetFinish"), call("gatewayBudgetRepair"), call("gatewayBudgetStatus")];
  const levelKeys = (scope: string, period: string) => {
    const base = `${period}|${scope}`;
    return [`${prefix}h:${base}`, `${prefix}z:${base}`, `${prefix}m:${base}`];
  };

  async function finish(reservation: Reservation, actual: number | null, queuedAt?: number): Promise<void> {
    const levels = budgetLevels(reservation.checks);
    const keys = [`${prefix}done:${reservation.id}`, ...levels.flatMap((c) => levelKeys(c.scope, c.period))];
    const reply = (await finishCmd(keys.length, ...keys, reservation.id, actual ?? "", memory, levelTtl, queuedAt ?? "")) as [number, ...string[]];
    if (reply.length > 1) throw new RedisKeyError(`${actual === null ? "release" : "settle"} of ${reservation.id} on the other levels only: ${foreignKeys(reply.slice(1) as string[])}`);
  }

  return {
    async reserve(checks: BudgetCheck[], micros: number, reserveOptions?: ReserveOptions): Promise<ReserveResult> {
      assertMicros("micros", micros);
      const levels = budgetLevels(checks);
      assertReservationTtl(reserveOptions?.ttlMs);
      const id = reserveOptions?.id ?? newReservationId();
      const keys = levels.flatMap((c) => levelKeys(c.scope, c.period));
      const reply = (await reserveCmd(keys.length, ...keys, micros, id, reserveOptions?.ttlMs ?? ttl, levelTtl, ...levels.map((c) => c.capMicros))) as (number | string)[];
      if (reply[0] === 1) return { ok: true, reservation: { id, checks: levels, micros } };
      const refused = levels[(reply[1] as number) - 1]!;
      if (reply[0] === 2) throw new RedisKeyError(`budget reserve on ${refused.scope} ${refused.period}: ${foreignKeys(reply.slice(2) as string[])}`, refused.scope);
      return budgetRefused(refused, reply[2] as number, reply[3] as number, micros);
    },
    async settle(reservation: Reservation, actualMicros: number, queuedAt?: number): Promise<void> {
      assertMicros("actualMicros", actualMicros);
      if (queuedAt !== undefined && !Number.isSafeInteger(queuedAt)) throw new TypeError(`invalid queuedAt: ${queuedAt}`);
      await finish(reservation, actualMicros, queuedAt);
    },
    async release(reservation: Reservation): Promise<void> {
      await finish(reservation, null);
    },
    async repair(scope: string, period: string, spentMicros: number, version: number, repairedAt = Date.now()): Promise<void> {
      assertMicros("spentMicros", spentMicros);
      if (!Number.isSafeInteger(version)) throw new TypeError(`invalid version: ${version}`);
      if (!Number.isSafeInteger(repairedAt)) throw new TypeError(`invalid repairedAt: ${repairedAt}`);
      await repairCmd(1, levelKeys(scope, period)[0]!, spentMicros, version, levelTtl, repairedAt);
    },
    async status(scope: string, period: string) {
      const keys = levelKeys(scope, period);
      const [spentMicros, reservedMicros] = (await statusCmd(3, ...keys)) as [number, number];
      return { spentMicros, reservedMicros };
    },
  };
}
