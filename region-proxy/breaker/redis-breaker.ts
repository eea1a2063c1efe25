/**
 * CircuitBreaker shared by a region's replicas through Redis: one hash per deployment and one Lua
 * script that mirrors breaker-state.ts, so when a cool-down ends exactly one replica gets the probe.
 * One key per call, so it is Redis Cluster safe without hash tags. Time: the caller's `nowMs` when
 * given (tests), otherwise the Redis server's TIME (one clock for all replicas).
 *
 * A call may name the attempt it belongs to (an id unique to that canAttempt call; resilient-breaker.ts
 * names every one): the probe slot an attempt is granted is marked with its id, and a verdict naming
 * an attempt applies only while the slot is still that attempt's (not re-opened, released or granted
 * to another since), else it changes nothing. So a verdict told late cannot undo what others saw since.
 */
import type { Cluster, Redis } from "ioredis";
import { breakerSettings, type AttemptGrant, type BreakerOptions, type CircuitBreaker } from "./breaker-types.ts";

export interface RedisBreakerOptions extends BreakerOptions {
  /** Key prefix (tests pass createTestRedis().prefix). */
  prefix?: string;
  /** State of a deployment nobody touched for this long is forgotten (default 24 h), never before its cool-down or probe slot ends. */
  idleTtlMs?: number;
}

/**
 * KEYS: the deployment's hash (f: failures, o: open until, p: probe slot until, h: the attempt holding
 * the slot). ARGV: op, nowMs ("" = TIME), threshold, coolDownMs, probeTimeoutMs (this deployment's;
 * read by `attempt` only), idleTtlMs, attempt id ("" = none).
 * `attempt` answers 0 (refused), 1 (allowed, closed) or 2 (allowed as the half-open probe); `left`,
 * what is left of the cool-down in ms (and writes nothing). A verdict naming an attempt that does not
 * hold the slot answers 0 and writes nothing.
 */
export const BREAKER_LUA = `
local op = ARGV[1]
local attemptId = ARGV[7]
if attemptId ~= '' and op ~= 'attempt' and op ~= 'left' and redis.call('HGET', KEYS[1], 'h') ~= attemptId then return 0 end
if op == 'success' then
  redis.call('DEL', KEYS[1])
  return 1
end
local now = tonumber(ARGV[2])
if not now then
  local t = redis.call('TIME')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local s = redis.call('HMGET', KEYS[1], 'f', 'o', 'p', 'h')
local failures, openUntil, probeUntil = tonumber(s[1] or '0') or 0, tonumber(s[2] or '0') or 0, tonumber(s[3] or '0') or 0
local holder = s[4] or ''
if op == 'left' then
  if now < openUntil then return openUntil - now end
  return 0
end
local function save()
  if probeUntil == 0 then holder = '' end
  redis.call('HSET', KEYS[1], 'f', failures, 'o', openUntil, 'p', probeUntil, 'h', holder)
  -- Never shorter than the cool-down or the probe slot still running: an expired key is a closed breaker.
  local ttl = math.max(tonumber(ARGV[6]), openUntil - now, probeUntil - now)
  redis.call('PEXPIRE', KEYS[1], math.ceil(ttl))
end
if op == 'attempt' then
  if openUntil == 0 then return 1 end
  if now < openUntil or now < probeUntil then return 0 end
  probeUntil = now + tonumber(ARGV[5])
  holder = attemptId
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

/** The Redis key of a circuit's state (for the log too). */
export function breakerKey(prefix: string | undefined, depId: string): string {
  return `${prefix ?? ""}br:${depId}`;
}
type ScriptCall = (...args: (string | number)[]) => Promise<unknown>;

/** The Redis breaker, whose calls may name the attempt they belong to (see the file comment). */
export interface RedisBreaker extends CircuitBreaker {
  /** With `attemptId`, a probe slot this grants is marked as that attempt's. */
  canAttempt(depId: string, nowMs?: number, attemptId?: string): Promise<AttemptGrant>;
  /** With `attemptId`, applied only while the probe slot is that attempt's (else nothing); so are the next two. */
  onSuccess(depId: string, nowMs?: number, attemptId?: string): Promise<void>;
  onFailure(depId: string, nowMs?: number, attemptId?: string): Promise<void>;
  releaseProbe(depId: string, nowMs?: number, attemptId?: string): Promise<void>;
  coolDownLeftMs(depId: string, nowMs?: number): Promise<number>;
}

/** Creates a breaker on an ioredis client (the command is defined on that client). */
export function createRedisBreaker(redis: Redis | Cluster, options: RedisBreakerOptions = {}): RedisBreaker {
  const settings = breakerSettings(options);
  const idleTtlMs = options.idleTtlMs ?? 86_400_000;
  const prefix = options.prefix ?? "";
  redis.defineCommand(COMMAND, { lua: BREAKER_LUA, numberOfKeys: 1 });
  const run = (redis as unknown as Record<string, ScriptCall>)[COMMAND]!.bind(redis);
  // The probe timeout is the deployment's own, asked only for an attempt (the one op that reads it:
  // whether it grants the probe is decided in the script).
  const call = (op: string, depId: string, nowMs?: number, attemptId?: string) =>
    run(breakerKey(prefix, depId), op, nowMs ?? "", settings.failureThreshold, settings.coolDownMs, op === "attempt" ? settings.probeTimeoutMs(depId) : 0, idleTtlMs, attemptId ?? "");
  // Every success is sent, so a request makes two breaker calls. A replica cannot skip the success of
  // a deployment it saw clean: another replica may have counted failures, or opened the breaker, while
  // the request was in flight, and a success from any request must close it (as in-process). Knowing
  // the state is still clean would take a read, which costs the same round trip as the DEL.
  return {
    async canAttempt(depId, nowMs, attemptId) {
      const answer = await call("attempt", depId, nowMs, attemptId);
      return answer === 2 ? "probe" : answer === 1;
    },
    async onSuccess(depId, nowMs, attemptId) {
      await call("success", depId, nowMs, attemptId);
    },
    async onFailure(depId, nowMs, attemptId) {
      await call("failure", depId, nowMs, attemptId);
    },
    async releaseProbe(depId, nowMs, attemptId) {
      await call("release", depId, nowMs, attemptId);
    },
    async coolDownLeftMs(depId, nowMs) {
      return Number(await call("left", depId, nowMs));
    },
  };
}
