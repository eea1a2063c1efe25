/**
 * A deployment whose baseUrl is wrong (OpenAI without `/v1`, Anthropic with `/v1`, Gemini with
 * `/v1beta`) gets its vendor's 404 for a path it does not serve, from the project's vendor fakes. The
 * caller chose neither the URL nor the model: the walk falls back, the breaker hears a failure (the
 * deployment serves no one), and with nothing left the caller gets a 502 that does not show the path.
 */
import { afterAll, beforeAll, afterEach, expect, test } from "bun:test";
import type { SnapshotDeployment } from "../../shared/snapshot/schema.ts";
import { startFakeAnthropic } from "../../test/fakes/anthropic.ts";
import type { FakeVendor } from "../../test/fakes/fake-server.ts";
import { startFakeGemini } from "../../test/fakes/gemini.ts";
import { startFakeOpenAI } from "../../test/fakes/openai.ts";
import { createMemoryBreaker } from "../breaker/memory-breaker.ts";
import { testExecuteOptions } from "../testing/execute-options.ts";
import { anthropicAdapter } from "./anthropic/adapter.ts";
import { executeChat } from "./execute.ts";
import { geminiAdapter } from "./gemini/adapter.ts";
import { openaiAdapter } from "./openai/adapter.ts";
import type { ChatRequest, ProviderAdapter } from "./types.ts";

const KEY = "fake-key";
let fakes: { openai: FakeVendor; anthropic: FakeVendor; gemini: FakeVendor };
beforeAll(async () => {
  fakes = { openai: await startFakeOpenAI({ apiKey: KEY }), anthropic: await startFakeAnthropic({ apiKey: KEY }), gemini: await startFakeGemini({ apiKey: KEY }) };
});
afterAll(async () => {
  await Promise.all(Object.values(fakes).map((fake) => fake.stop()));
});
const servers: ReturnType<typeof Bun.serve>[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.stop(true);
});
function healthy(): string {
  const completion = { id: "x", object: "chat.completion", created: 1, model: "m", choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } };
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", development: false, fetch: () => Response.json(completion) });
  servers.push(server);
  return `http://127.0.0.1:${server.port}/v1`;
}

const messages = [{ role: "user", content: "hi" }];
const chat = () => ({ model: "m", messages, stream: false, includeUsage: false, raw: { model: "m", messages } }) as unknown as ChatRequest;
const target = (id: string, provider: SnapshotDeployment["provider"], baseUrl: string, model: string, adapter: ProviderAdapter) => ({
  deployment: { id, provider, baseUrl, model, region: "eu", credentialRef: "env:K" } as SnapshotDeployment,
  adapter,
});
const wrong = {
  openai: () => target("d_wrong", "openai", fakes.openai.url, "gpt-fake", openaiAdapter),
  anthropic: () => target("d_wrong", "anthropic", `${fakes.anthropic.url}/v1`, "claude-fake", anthropicAdapter),
  gemini: () => target("d_wrong", "gemini", `${fakes.gemini.url}/v1beta`, "gemini-fake", geminiAdapter),
};
const options = (breaker = createMemoryBreaker({ failureThreshold: 1, coolDownMs: 60_000 })) => testExecuteOptions({ resolveCredential: () => ({ ok: true, credential: KEY }), health: breaker });

for (const vendor of ["openai", "anthropic", "gemini"] as const) {
  test(`${vendor}: a 404 for the deployment's wrong path falls back, and the breaker hears a failure`, async () => {
    const breaker = createMemoryBreaker({ failureThreshold: 1, coolDownMs: 60_000 });
    const result = await executeChat(chat(), [wrong[vendor](), target("d_ok", "openai", healthy(), "gpt-ok", openaiAdapter)], options(breaker));
    expect(result.ok).toBe(true);
    expect(result.trail.fallback).toBe(true);
    expect(result.trail.steps.map((s) => `${s.deploymentId}:${s.outcome}:${s.reason}`)).toEqual(["d_wrong:error:deployment_unavailable:not_found", "d_ok:ok:null"]);
    expect(breaker.canAttempt("d_wrong")).toBe(false);
  });

  test(`${vendor}: alone, the caller gets a 502 that does not show the vendor's path`, async () => {
    const result = await executeChat(chat(), [wrong[vendor]()], options());
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toMatchObject({ kind: "upstream_error", retryable: false });
    expect(JSON.stringify(result.error)).not.toMatch(/\/v1|URL|not found on this server/i);
  });
}
