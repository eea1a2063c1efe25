/**
 * RateLimiter shared by a region's replicas through Redis: ONE Lua script (EVALSHA via ioredis
 * defineCommand) checks every level and charges all or none, so concurrent replicas never over-admit.
 *
 * Algorithm: GCRA (see gcra.ts for why, and for the accuracy bound); the script mirrors gcra.ts.
 * Time: the caller's `nowMs` when given (tests, fake time), otherwise the Redis server's TIME, so
 * replicas with skewed clocks still share one clock.
 * Keys: every key is passed through KEYS. All limiter keys carry the same hash tag `{<hashTag>}`
 * (default "rl"), which puts them in one Redis Cluster slot: a request's levels (key, team, org...) are
 * unrelated strings that other requests combine differently, so no per-request tag could keep them
 * together. The cost is that one shard carries a region's limiter; a single node does well over
 * 50k scripts/s, far above one region's request rate. Idle keys expire once their bucket is full again.
 * Each level's TAT key (`rl:`) has a twin (`rlimit:`) holding the limit the TAT was written under (see
 * gcra.ts), written with it by the same script and expiring with it. A twin and not one value "tat|limit":
 * an older proxy still reads and writes the bare TAT during a rolling deploy, where a value it could not
 * parse would read as a full bucket; the older proxy's TATs, without a twin, are read at the limit asked.
 */
import type { Cluster, Redis } from "ioredis";
import { assertTokenCount, buildVerdict, limitBuckets, type LimitBucket } from "./limit-buckets.ts";
import { LIMIT_PERIOD_MS, type LimitCheck, type LimitVerdict, type RemoteRateLimiter } from "./rate-limit-types.ts";

export interface RedisRateLimiterOptions {
  /** Key prefix (tests pass createTestRedis().prefix). */
  prefix?: string;
  /** Cluster hash tag shared by all limiter keys (default "rl"). */
  hashTag?: string;
}

/**
 * KEYS: the n buckets' TAT keys, then their n limit keys in the same order. ARGV: mode ("acquire" |
 * "adjust"), nowMs ("" = server TIME), periodMs, tokens (estimate for acquire, delta for adjust), then per
 * bucket: kind ("r" | "t"), limit. acquire returns per bucket {retryAfterMs, remaining, resetMs}, all zero
 * retries when admitted. A level whose stored limit differs from the one asked is rescaled first
 * (gcraRescale) and, even when refused, written back in the new limit's units.
 */
export const RATE_LIMIT_LUA = `
local now = tonumber(ARGV[2])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local period = tonumber(ARGV[3])
local tokens = tonumber(ARGV[4])
-- gcraSlack: float slack for a level's accumulated TAT rounding (2^-11 ms per unit of limit, at most
-- a quarter of a millisecond and a quarter of one unit's interval).
local function slack(limit)
  return math.min(limit * 0.00048828125, 0.25, period / (4 * limit))
end
-- GCRA_MAX_WAIT_MS: waits and TTLs past 2^53 ms are neither integer replies nor valid PX values.
local maxWait = 4503599627370496
local n = #KEYS / 2
local function store(i, tat)
  if tat > now then
    local px = math.min(maxWait, math.ceil(tat - now) + 1000)
    redis.call('SET', KEYS[i], string.format('%.17g', tat), 'PX', px)
    redis.call('SET', KEYS[n + i], ARGV[4 + 2 * i], 'PX', px)
  else
    redis.call('DEL', KEYS[i], KEYS[n + i])
  end
end
local stored = redis.call('MGET', unpack(KEYS))
local tats, limits, rescaled = {}, {}, {}
for i = 1, n do
  local tat = tonumber(stored[i] or '') or now
  if tat < now then tat = now end
  local limit = tonumber(ARGV[4 + 2 * i])
  -- gcraRescale: no stored limit (an older proxy's TAT) reads as the limit asked.
  local was = tonumber(stored[n + i] or '')
  if was and was > 0 and limit > 0 and was ~= limit then
    tat = now + (tat - now) * was / limit
    rescaled[i] = true
  end
  tats[i] = tat
  limits[i] = limit
end
if ARGV[1] == 'adjust' then
  for i = 1, n do
    if limits[i] > 0 then
      local nt = tats[i] + tokens * period / limits[i]
      if nt < now then nt = now end
      store(i, nt)
    end
  end
  return 0
end
local retry, newTats, allowed = {}, {}, true
for i = 1, n do
  local limit = limits[i]
  local cost = 1
  if ARGV[3 + 2 * i] == 't' then cost = tokens end
  if limit <= 0 then
    retry[i] = period
    newTats[i] = tats[i]
  else
    local nt = tats[i] + cost * period / limit
    local allowAt = nt - period
    local eps = slack(limit)
    if allowAt <= now + eps then
      retry[i] = 0
      newTats[i] = nt
    else
      retry[i] = math.min(maxWait, math.ceil(allowAt - now - eps))
      newTats[i] = tats[i]
    end
  end
  if retry[i] > 0 then allowed = false end
end
local out = {}
for i = 1, n do
  local tat = tats[i]
  if allowed then
    tat = newTats[i]
    store(i, tat)
    retry[i] = 0
  elseif rescaled[i] then
    store(i, tat)
  end
  local limit = limits[i]
  local remaining, reset = 0, period
  if limit > 0 then
    local eps = slack(limit)
    remaining = math.floor(limit - (tat - now) * limit / period + eps * limit / period)
    if remaining < 0 then remaining = 0 end
    if remaining > limit then remaining = limit end
    reset = math.min(maxWait, math.ceil(tat - now - eps))
    if reset < 0 then reset = 0 end
  end
  out[#out + 1] = retry[i]
  out[#out + 1] = remaining
  out[#out + 1] = reset
end
return out
`;

const COMMAND = "gatewayRateLimit";
type ScriptCall = (...args: (string | number)[]) => Promise<unknown>;

/** Creates a limiter on an ioredis client (the command is defined on that client). */
export function createRedisRateLimiter(redis: Redis | Cluster, options: RedisRateLimiterOptions = {}): RemoteRateLimiter {
  const prefix = options.prefix ?? "";
  const tag = `{${options.hashTag ?? "rl"}}`;
  redis.defineCommand(COMMAND, { lua: RATE_LIMIT_LUA });
  const run = (redis as unknown as Record<string, ScriptCall>)[COMMAND]!.bind(redis);
  /** The script's arguments: the key count, n TAT keys, n limit keys, then ARGV (see RATE_LIMIT_LUA). */
  const argsOf = (buckets: LimitBucket[], mode: "acquire" | "adjust", nowMs: number | undefined, tokens: number) => {
    const n = buckets.length;
    const args: (string | number)[] = new Array(1 + 2 * n + 4 + 2 * n);
    args[0] = 2 * n;
    args[1 + 2 * n] = mode;
    args[2 + 2 * n] = nowMs ?? "";
    args[3 + 2 * n] = LIMIT_PERIOD_MS;
    args[4 + 2 * n] = tokens;
    for (let i = 0; i < n; i++) {
      const b = buckets[i]!;
      const kind = b.kind === "requests" ? "r" : "t";
      args[1 + i] = `${prefix}${tag}:rl:${kind}:${b.scope}`;
      args[1 + n + i] = `${prefix}${tag}:rlimit:${kind}:${b.scope}`;
      args[5 + 2 * n + 2 * i] = kind;
      args[6 + 2 * n + 2 * i] = b.limit;
    }
    return args;
  };

  return {
    async acquire(checks: LimitCheck[], estimatedTokens: number, nowMs?: number): Promise<LimitVerdict> {
      assertTokenCount("estimatedTokens", estimatedTokens, false);
      const buckets = limitBuckets(checks);
      if (buckets.length === 0) return buildVerdict([], [], estimatedTokens);
      const reply = (await run(...argsOf(buckets, "acquire", nowMs, estimatedTokens))) as number[];
      const outcomes = buckets.map((_, i) => ({ retryAfterMs: reply[3 * i]!, remaining: reply[3 * i + 1]!, resetMs: reply[3 * i + 2]! }));
      return buildVerdict(buckets, outcomes, estimatedTokens);
    },

    async adjustTokens(checks: LimitCheck[], deltaTokens: number, nowMs?: number): Promise<void> {
      assertTokenCount("deltaTokens", deltaTokens, true);
      const buckets = limitBuckets(checks).filter((b) => b.kind === "tokens");
      if (deltaTokens === 0 || buckets.length === 0) return;
      await run(...argsOf(buckets, "adjust", nowMs, deltaTokens));
    },
  };
}
