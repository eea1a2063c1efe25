/**
 * A 2xx answer the gateway refuses was still billed by the vendor: every adapter reads the usage the
 * refused body reports (ProviderAdapter.reportedUsage), so each such call of the walk is charged
 * those tokens rather than an estimate. Gemini's MALFORMED_FUNCTION_CALL is the everyday case: a
 * 200 with usageMetadata and no usable answer.
 */
import { afterEach, expect, test } from "bun:test";
import type { SnapshotDeployment } from "../../shared/snapshot/schema.ts";
import { testExecuteOptions } from "../testing/execute-options.ts";
import { anthropicAdapter } from "./anthropic/adapter.ts";
import { executeChat } from "./execute.ts";
import { geminiAdapter } from "./gemini/adapter.ts";
import type { ChatRequest, ProviderAdapter } from "./types.ts";

const servers: ReturnType<typeof Bun.serve>[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.stop(true);
});
const messages = [{ role: "user", content: "hi" }];
const chat = { model: "m", messages, stream: false, includeUsage: false, raw: { model: "m", messages } } as unknown as ChatRequest;

async function refusedTrail(provider: "anthropic" | "gemini", adapter: ProviderAdapter, body: unknown) {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", development: false, fetch: () => Response.json(body) });
  servers.push(server);
  const deployment = { id: "d1", provider, baseUrl: `http://127.0.0.1:${server.port}`, model: "vendor-model", region: "eu", credentialRef: "env:K" } as SnapshotDeployment;
  const result = await executeChat(chat, [{ deployment, adapter }], testExecuteOptions());
  expect(result.ok).toBe(false);
  return result.trail;
}

test("Gemini: a MALFORMED_FUNCTION_CALL answer is refused and carries the usageMetadata it reported", async () => {
  const body = {
    candidates: [{ content: { role: "model", parts: [] }, finishReason: "MALFORMED_FUNCTION_CALL", index: 0 }],
    usageMetadata: { promptTokenCount: 120, candidatesTokenCount: 40, thoughtsTokenCount: 10, totalTokenCount: 170 },
  };
  const trail = await refusedTrail("gemini", geminiAdapter, body);
  expect(trail.refusedCalls?.[0]?.reportedUsage).toMatchObject({ inputTokens: 120, outputTokens: 50, reasoningTokens: 10 });
});

test("Anthropic: a body that is no Message but reports usage carries that usage", async () => {
  const body = { id: "msg_1", type: "message", role: "assistant", content: "not a list of blocks", usage: { input_tokens: 90, output_tokens: 30, cache_read_input_tokens: 10 } };
  const trail = await refusedTrail("anthropic", anthropicAdapter, body);
  expect(trail.refusedCalls?.[0]?.reportedUsage).toMatchObject({ inputTokens: 100, outputTokens: 30, cachedInputTokens: 10 });
});

test("a refused body without usable usage carries none (the prompt estimate is charged)", async () => {
  const trail = await refusedTrail("gemini", geminiAdapter, { candidates: "nope" });
  expect(trail.refusedCalls?.map((call) => call.reportedUsage)).toEqual([null, null]); // refused, and refused again on the retry
});
