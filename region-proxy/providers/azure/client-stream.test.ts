/**
 * Azure streams through a real proxy, read with the official SDK's stream helper: Azure's
 * annotation-only chunks (the prompt-filter preamble, the asynchronous filter's trailer after the
 * finish chunk) must not reach the client, or the SDK's assembled completion takes their empty model.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type OpenAI from "openai";
import { startFakeAzure } from "../../../test/fakes/azure.ts";
import type { FakeVendor } from "../../../test/fakes/fake-server.ts";
import type { RunningProxy } from "../../main.ts";
import { createProxyFixture, REGION, type ProxyFixture } from "../../testing/proxy-fixture.ts";

let fx: ProxyFixture;
let fake: FakeVendor;
let proxy: RunningProxy;
let client: OpenAI;

beforeAll(async () => {
  fx = await createProxyFixture();
  fake = await startFakeAzure({ apiKey: "az-fake" });
  await fx.publish(
    fx.snapshot(1, (s) => {
      s.deployments.dep_azure = { id: "dep_azure", provider: "azure", baseUrl: fake.url, model: "gpt-4o-deployment", region: REGION, credentialRef: "env:AZURE_KEY" };
      s.aliases.azure = { name: "azure", chain: ["dep_azure"] };
    }),
  );
  proxy = await fx.startProxy({ credentials: { AZURE_KEY: "az-fake" } });
  client = fx.client(proxy);
});
afterAll(async () => {
  await fx.cleanup();
  await fake.stop();
});

describe("azure streams through the proxy", () => {
  for (const includeUsage of [false, true]) {
    test(`the SDK's final completion keeps the model and created time (include_usage ${includeUsage})`, async () => {
      const stream = client.chat.completions.stream({ model: "azure", messages: [{ role: "user", content: "hello azure" }], stream_options: { include_usage: includeUsage } });
      const chunks: OpenAI.ChatCompletionChunk[] = [];
      stream.on("chunk", (chunk) => chunks.push(chunk));
      const final = await stream.finalChatCompletion();
      expect(final.choices[0]!.message.content).toBe("Echo: hello azure");
      expect(final.model).toBe("gpt-4o-2024-11-20");
      expect(final.created).toBeGreaterThan(0);
      expect(chunks.every((c) => c.object === "chat.completion.chunk" && c.model === "gpt-4o-2024-11-20")).toBe(true);
      expect(chunks.every((c) => c.choices.every((choice) => choice.delta !== undefined))).toBe(true);
    });
  }
});
