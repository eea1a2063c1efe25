import { useRedisReplicaPair } from "../../test/support/redis.ts";
import { describeBudgetLedger } from "./budget-ledger.suite.ts";
import { createRedisBudgetLedger } from "./redis-budget-ledger.ts";

// Two ioredis connections = two replicas; a fresh sub-prefix per test keeps tests independent.
const replicas = useRedisReplicaPair();

describeBudgetLedger("Redis", {
  async pair(options) {
    return replicas.pair((redis, prefix) => createRedisBudgetLedger(redis, { ...options, prefix }));
  },
});
