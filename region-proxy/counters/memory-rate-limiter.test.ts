import { createMemoryRateLimiter } from "./memory-rate-limiter.ts";
import { describeRateLimiter } from "./rate-limiter.suite.ts";

describeRateLimiter("in-process", {
  async pair() {
    const limiter = createMemoryRateLimiter();
    return [limiter, limiter];
  },
});
