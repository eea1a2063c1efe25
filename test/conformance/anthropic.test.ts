import { startFakeAnthropic } from "../fakes/anthropic.ts";
import { describeConformance } from "./conformance.suite.ts";

describeConformance({
  provider: "anthropic",
  start: (apiKey) => startFakeAnthropic({ apiKey }),
  baseUrl: (fake) => fake.url,
  chatModel: "claude-fake",
  embeddingModel: null,
  unsupported: { param: "seed", value: 7 },
  passesUnknownFields: false,
  rateLimitModel: "rate-limit",
});
