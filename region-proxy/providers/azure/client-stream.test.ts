/**
 * Azure streams through a real proxy, read with the official SDK's stream helper: Azure's
 * annotation-only chunks (the prompt-filter preamble, the asynchronous filter's trailer after the
 * finish chunk) must not reach the client, or the SDK's assembled completion takes their empty model;
 * the asynchronous filter's block does, as the stream's own finish chunk.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type OpenAI from "openai";
import { startFakeAzure } from "../../../test/fakes/azure.ts";
import { startVendorBehindProxy } from "../../testing/vendor-behind-proxy.ts";

let client: OpenAI;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ client, stop } = await startVendorBehindProxy({ provider: "azure", start: startFakeAzure }, { azure: "gpt-4o-deployment", "azure-async-blocked": "async-filter-blocked" }));
});
afterAll(() => stop());

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

    test(`a stream the asynchronous filter blocks ends with finish_reason content_filter (include_usage ${includeUsage})`, async () => {
      const stream = client.chat.completions.stream({ model: "azure-async-blocked", messages: [{ role: "user", content: "hello azure" }], stream_options: { include_usage: includeUsage } });
      const chunks: OpenAI.ChatCompletionChunk[] = [];
      stream.on("chunk", (chunk) => chunks.push(chunk));
      const final = await stream.finalChatCompletion();
      expect(final.choices[0]!.finish_reason).toBe("content_filter");
      expect(final.choices[0]!.message.content).toBe("Echo: hello azure");
      // The vendor sent no usage: the usage chunk a client asks for is the gateway's estimate (execute.ts).
      const answer = chunks.filter((c) => c.choices.length > 0);
      expect(answer.every((c) => c.object === "chat.completion.chunk" && c.model === "gpt-4o-2024-11-20" && c.created > 0)).toBe(true);
      expect(chunks.filter((c) => c.usage).length).toBe(includeUsage ? 1 : 0);
    });
  }
});
