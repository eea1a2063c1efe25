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
 */
import type { Cluster, Redis } from "ioredis";
import { assertTokenCount, buildVerdict, limitBuckets, type LimitBucket } from "./limit-buckets.ts";
import { LIMIT_PERIOD_MS, type LimitCheck, type LimitVerdict, type RateLimiter } from "./rate-limit-types.ts";

export interface RedisRateLimiterOptions {
  /** Key prefix (tests pass createTestRedis().prefix). */
  prefix?: string;
  /** Cluster hash tag shared by all limiter keys (default "rl"). */
  hashTag?: string;
}

/**
 * KEYS: one per bucket. ARGV: mode ("acquire" | "adjust"), nowMs ("" = server TIME), periodMs, tokens
 * (estimate for acquire, delta for adjust), then per bucket: kind ("r" | "t"), limit.
 * acquire returns per bucket {retryAfterMs, remaining, resetMs}, all zero retries when admitted.
 */
export const RATE_LIMIT_LUA = `
local now = tonumber(ARGV[2])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local period = tonumber(ARGV[3])
local tokens = tonumber(ARGV[4])
local eps = 1e-6
-- GCRA_MAX_WAIT_MS: waits and TTLs past 2^53 ms are neither integer replies nor valid PX values.
local maxWait = 4503599627370496
local n = #KEYS
local function store(key, tat)
  if tat > now then
    redis.call('SET', key, string.format('%.17g', tat), 'PX', math.min(maxWait, math.ceil(tat - now) + 1000))
  else
    redis.call('DEL', key)
  end
end
local tats, limits = {}, {}
for i = 1, n do
  local tat = tonumber(redis.call('GET', KEYS[i]) or '') or now
  if tat < now then tat = now end
  tats[i] = tat
  limits[i] = tonumber(ARGV[4 + 2 * i])
end
if ARGV[1] == 'adjust' then
  for i = 1, n do
    if limits[i] > 0 then
      local nt = tats[i] + tokens * period / limits[i]
      if nt < now then nt = now end
      store(KEYS[i], nt)
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
    store(KEYS[i], tat)
    retry[i] = 0
  end
  local limit = limits[i]
  local remaining, reset = 0, period
  if limit > 0 then
    remaining = math.floor(limit - (tat - now) * limit / period + eps)
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
export function createRedisRateLimiter(redis: Redis | Cluster, options: RedisRateLimiterOptions = {}): RateLimiter {
  const prefix = options.prefix ?? "";
  const tag = `{${options.hashTag ?? "rl"}}`;
  redis.defineCommand(COMMAND, { lua: RATE_LIMIT_LUA });
  const run = (redis as unknown as Record<string, ScriptCall>)[COMMAND]!.bind(redis);
  const keyOf = (b: LimitBucket) => `${prefix}${tag}:rl:${b.kind === "requests" ? "r" : "t"}:${b.scope}`;
  const argsOf = (buckets: LimitBucket[]) => buckets.flatMap((b) => [b.kind === "requests" ? "r" : "t", b.limit]);

  return {
    async acquire(checks: LimitCheck[], estimatedTokens: number, nowMs?: number): Promise<LimitVerdict> {
      assertTokenCount("estimatedTokens", estimatedTokens, false);
      const buckets = limitBuckets(checks);
      if (buckets.length === 0) return buildVerdict([], []);
      const reply = (await run(
        buckets.length, ...buckets.map(keyOf), "acquire", nowMs ?? "", LIMIT_PERIOD_MS, estimatedTokens, ...argsOf(buckets),
      )) as number[];
      const outcomes = buckets.map((_, i) => ({ retryAfterMs: reply[3 * i]!, remaining: reply[3 * i + 1]!, resetMs: reply[3 * i + 2]! }));
      return buildVerdict(buckets, outcomes);
    },

    async adjustTokens(checks: LimitCheck[], deltaTokens: number, nowMs?: number): Promise<void> {
      assertTokenCount("deltaTokens", deltaTokens, true);
      const buckets = limitBuckets(checks).filter((b) => b.kind === "tokens");
      if (deltaTokens === 0 || buckets.length === 0) return;
      await run(buckets.length, ...buckets.map(keyOf), "adjust", nowMs ?? "", LIMIT_PERIOD_MS, deltaTokens, ...argsOf(buckets));
    },
  };
}
