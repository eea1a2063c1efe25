import { startFakeGemini } from "../fakes/gemini.ts";
import { describeConformance } from "./conformance.suite.ts";

describeConformance({
  provider: "gemini",
  start: (apiKey) => startFakeGemini({ apiKey }),
  baseUrl: (fake) => fake.url,
  chatModel: "gemini-fake",
  embeddingModel: "text-embedding-fake",
  unsupported: { param: "logit_bias", value: { "50256": -100 } },
  passesUnknownFields: false,
  rateLimitModel: "rate-limit",
});
