import { startFakeOpenAI } from "../fakes/openai.ts";
import { describeConformance } from "./conformance.suite.ts";

describeConformance({
  provider: "openai",
  start: (apiKey) => startFakeOpenAI({ apiKey }),
  baseUrl: (fake) => `${fake.url}/v1`,
  chatModel: "gpt-fake",
  embeddingModel: "text-embedding-fake",
  unsupported: null,
  passesUnknownFields: true,
  rateLimitModel: "rate-limit",
});
