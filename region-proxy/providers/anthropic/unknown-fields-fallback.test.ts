/**
 * The walk treats a refused unknown top-level field as any other refused parameter: an Anthropic
 * deployment reached by fallback from OpenAI (which takes any field) is skipped for it, not called;
 * and prompt_cache_key, an OpenAI caching hint, does not make a fallback to Anthropic refuse.
 */
import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import type { SnapshotDeployment } from "../../../shared/snapshot/schema.ts";
import { startFakeAnthropic } from "../../../test/fakes/anthropic.ts";
import type { FakeVendor } from "../../../test/fakes/fake-server.ts";
import { testExecuteOptions } from "../../testing/execute-options.ts";
import { executeChat } from "../execute.ts";
import { openaiAdapter } from "../openai/adapter.ts";
import type { ChatRequest } from "../types.ts";
import { anthropicAdapter } from "./adapter.ts";

let anthropic: FakeVendor;
beforeAll(async () => {
  anthropic = await startFakeAnthropic({ apiKey: "sk-test" });
});
afterAll(() => anthropic.stop());
const servers: ReturnType<typeof Bun.serve>[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.stop(true);
});

/** An OpenAI deployment that is always overloaded, so the walk falls back. */
function overloadedOpenAI(): string {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", development: false, fetch: () => new Response("{}", { status: 503 }) });
  servers.push(server);
  return `http://127.0.0.1:${server.port}/v1`;
}

const messages = [{ role: "user", content: "hi" }];
const chat = (extra: Record<string, unknown>) => ({ model: "m", messages, stream: false, includeUsage: false, raw: { model: "m", messages, ...extra } }) as unknown as ChatRequest;
const chain = () => [
  { deployment: { id: "d_openai", provider: "openai", baseUrl: overloadedOpenAI(), model: "gpt-fake", region: "eu", credentialRef: "env:K" } as SnapshotDeployment, adapter: openaiAdapter },
  { deployment: { id: "d_anthropic", provider: "anthropic", baseUrl: anthropic.url, model: "claude-fake", region: "eu", credentialRef: "env:K" } as SnapshotDeployment, adapter: anthropicAdapter },
];

test("an Anthropic deployment reached by fallback is skipped for a top-level field it has no rule for", async () => {
  const before = anthropic.calls();
  const result = await executeChat(chat({ top_k: 5 }), chain(), testExecuteOptions());
  expect(result.ok).toBe(false);
  expect(result.trail.steps.map((s) => `${s.deploymentId}:${s.outcome}:${s.reason}`).at(-1)).toBe("d_anthropic:skipped:unsupported_parameter");
  expect(anthropic.calls()).toBe(before);
});

test("prompt_cache_key does not stop a fallback to Anthropic", async () => {
  const result = await executeChat(chat({ prompt_cache_key: "conversation-7" }), chain(), testExecuteOptions());
  expect(result.ok).toBe(true);
  expect(result.trail.steps.at(-1)).toMatchObject({ deploymentId: "d_anthropic", outcome: "ok" });
});
