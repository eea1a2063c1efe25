import { useRedisReplicaPair } from "../../test/support/redis.ts";
import { describeRateLimiter } from "./rate-limiter.suite.ts";
import { createRedisRateLimiter } from "./redis-rate-limiter.ts";

// Two ioredis connections = two replicas; a fresh sub-prefix per test keeps tests independent.
const replicas = useRedisReplicaPair();

describeRateLimiter("Redis", {
  async pair() {
    return replicas.pair((redis, prefix) => createRedisRateLimiter(redis, { prefix }));
  },
});
