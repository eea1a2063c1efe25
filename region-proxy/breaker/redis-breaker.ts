/**
 * CircuitBreaker shared by a region's replicas through Redis: one hash per deployment and one Lua
 * script that mirrors breaker-state.ts, so when a cool-down ends exactly one replica gets the probe.
 * One key per call, so it is Redis Cluster safe without hash tags. Time: the caller's `nowMs` when
 * given (tests), otherwise the Redis server's TIME (one clock for all replicas).
 */
import type { Cluster, Redis } from "ioredis";
import { breakerSettings, type BreakerOptions, type CircuitBreaker } from "./breaker-types.ts";

export interface RedisBreakerOptions extends BreakerOptions {
  /** Key prefix (tests pass createTestRedis().prefix). */
  prefix?: string;
  /** State of a deployment nobody touched for this long is forgotten (default 24 h), never before its cool-down or probe slot ends. */
  idleTtlMs?: number;
}

/**
 * KEYS: the deployment's hash. ARGV: op, nowMs ("" = TIME), threshold, coolDownMs, probeTimeoutMs (this
 * deployment's; read by `attempt` only), idleTtlMs.
 * `attempt` answers 0 (refused), 1 (allowed, closed) or 2 (allowed as the half-open probe); `left`,
 * what is left of the cool-down in ms (and writes nothing).
 */
export const BREAKER_LUA = `
local op = ARGV[1]
if op == 'success' then
  redis.call('DEL', KEYS[1])
  return 1
end
local now = tonumber(ARGV[2])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local s = redis.call('HMGET', KEYS[1], 'f', 'o', 'p')
local failures, openUntil, probeUntil = tonumber(s[1] or '0') or 0, tonumber(s[2] or '0') or 0, tonumber(s[3] or '0') or 0
if op == 'left' then
  if now < openUntil then return openUntil - now end
  return 0
end
local function save()
  redis.call('HSET', KEYS[1], 'f', failures, 'o', openUntil, 'p', probeUntil)
  -- Never shorter than the cool-down or the probe slot still running: an expired key is a closed breaker.
  local ttl = math.max(tonumber(ARGV[6]), openUntil - now, probeUntil - now)
  redis.call('PEXPIRE', KEYS[1], math.ceil(ttl))
end
if op == 'attempt' then
  if openUntil == 0 then return 1 end
  if now < openUntil or now < probeUntil then return 0 end
  probeUntil = now + tonumber(ARGV[5])
  save()
  return 2
end
if op == 'release' then
  if openUntil == 0 or now < openUntil or probeUntil == 0 then return 0 end
  probeUntil = 0
  save()
  return 1
end
if openUntil ~= 0 then
  if now < openUntil then return 0 end
  failures = failures + 1
  openUntil = now + tonumber(ARGV[4])
  probeUntil = 0
else
  failures = failures + 1
  if failures >= tonumber(ARGV[3]) then
    openUntil = now + tonumber(ARGV[4])
    probeUntil = 0
  end
end
save()
return 1
`;

const COMMAND = "gatewayBreaker";
type ScriptCall = (...args: (string | number)[]) => Promise<unknown>;

/** Creates a breaker on an ioredis client (the command is defined on that client). */
export function createRedisBreaker(redis: Redis | Cluster, options: RedisBreakerOptions = {}): CircuitBreaker {
  const settings = breakerSettings(options);
  const idleTtlMs = options.idleTtlMs ?? 86_400_000;
  const prefix = options.prefix ?? "";
  redis.defineCommand(COMMAND, { lua: BREAKER_LUA, numberOfKeys: 1 });
  const run = (redis as unknown as Record<string, ScriptCall>)[COMMAND]!.bind(redis);
  // The probe timeout is the deployment's own, asked only for an attempt (the one op that reads it:
  // whether it grants the probe is decided in the script).
  const call = (op: string, depId: string, nowMs?: number) =>
    run(`${prefix}br:${depId}`, op, nowMs ?? "", settings.failureThreshold, settings.coolDownMs, op === "attempt" ? settings.probeTimeoutMs(depId) : 0, idleTtlMs);
  // Every success is sent, so a request makes two breaker calls. A replica cannot skip the success of
  // a deployment it saw clean: another replica may have counted failures, or opened the breaker, while
  // the request was in flight, and a success from any request must close it (as in-process). Knowing
  // the state is still clean would take a read, which costs the same round trip as the DEL.
  return {
    async canAttempt(depId, nowMs) {
      const answer = await call("attempt", depId, nowMs);
      return answer === 2 ? "probe" : answer === 1;
    },
    async onSuccess(depId, nowMs) {
      await call("success", depId, nowMs);
    },
    async onFailure(depId, nowMs) {
      await call("failure", depId, nowMs);
    },
    async releaseProbe(depId, nowMs) {
      await call("release", depId, nowMs);
    },
    async coolDownLeftMs(depId, nowMs) {
      return Number(await call("left", depId, nowMs));
    },
  };
}
