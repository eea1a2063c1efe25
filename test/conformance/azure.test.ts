import { startFakeAzure } from "../fakes/azure.ts";
import { describeConformance } from "./conformance.suite.ts";

describeConformance({
  provider: "azure",
  start: (apiKey) => startFakeAzure({ apiKey }),
  baseUrl: (fake) => fake.url,
  chatModel: "gpt-4o-deployment",
  embeddingModel: "embedding-deployment",
  unsupported: null,
  passesUnknownFields: true,
  rateLimitModel: "rate-limit",
});
