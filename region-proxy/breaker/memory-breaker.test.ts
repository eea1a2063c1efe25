import { describeBreaker } from "./breaker.suite.ts";
import { createMemoryBreaker } from "./memory-breaker.ts";

describeBreaker("in-process", {
  async pair(options) {
    const breaker = createMemoryBreaker(options);
    return [breaker, breaker];
  },
});
