/**
 * The shared suite on Redis with two separate connections as two replicas: they share state, and the
 * half-open probe test proves only one of them gets the probe.
 */
import { useRedisReplicaPair } from "../../test/support/redis.ts";
import { describeBreaker } from "./breaker.suite.ts";
import { createRedisBreaker } from "./redis-breaker.ts";

// Two ioredis connections = two replicas; a fresh sub-prefix per test keeps tests independent.
const replicas = useRedisReplicaPair();

describeBreaker("Redis", {
  async pair(options) {
    return replicas.pair((redis, prefix) => createRedisBreaker(redis, { ...options, prefix }));
  },
});
