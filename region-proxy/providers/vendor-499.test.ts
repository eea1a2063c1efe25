/**
 * A vendor's own 499 is its transient failure, for every adapter: Anthropic answers
 * `499 {"error":"Client closed request"}` under load (anthropics/claude-code#8591, #8603;
 * openclaw/openclaw#41468 adds 499 to its transient codes for it), Gemini its CANCELLED (8dd489e), and a
 * relay in front of any vendor may send one. Before, only Gemini's was retried: the others' were the
 * caller's refusal (vendor_rejected 499: no retry, no fallback, the breaker told success) and the SDK
 * got an HTTP 499, counted as a client that closed. The gateway's own cancel never reaches the
 * classification (gemini/vendor-cancelled.test.ts: the walk decides client_closed first).
 */
import { afterAll, afterEach, beforeAll, expect, test } from "bun:test";
import type { SnapshotDeployment } from "../../shared/snapshot/schema.ts";
import { createMemoryBreaker } from "../breaker/memory-breaker.ts";
import { testExecuteOptions } from "../testing/execute-options.ts";
import { startScriptedVendor } from "../testing/scripted-vendor.ts";
import { anthropicAdapter } from "./anthropic/adapter.ts";
import { azureAdapter } from "./azure/adapter.ts";
import { executeChat } from "./execute.ts";
import { geminiAdapter } from "./gemini/adapter.ts";
import { openaiAdapter } from "./openai/adapter.ts";
import type { ChatRequest, ProviderAdapter } from "./types.ts";

const anthropic499 = { error: "Client closed request" };
const openai499 = { error: { message: "Client closed request", type: "server_error", code: null } };
const gemini499 = { error: { code: 499, message: "The operation was cancelled.", status: "CANCELLED" } };
const adapters: [ProviderAdapter, unknown][] = [
  [openaiAdapter, openai499],
  [azureAdapter, openai499],
  [anthropicAdapter, anthropic499],
  [geminiAdapter, gemini499],
];

for (const [adapter, body] of adapters) {
  test(`${adapter.kind}: a 499 is the vendor's transient failure`, () => {
    expect(adapter.classifyError(499, new Headers(), JSON.stringify(body))).toMatchObject({
      retryable: true,
      reason: "status_499",
      clientError: { kind: "upstream_error" },
    });
  });
}

const servers: ReturnType<typeof Bun.serve>[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.stop(true);
});
const messages = [{ role: "user", content: "hi" }];
const chat = { model: "m", messages, stream: false, includeUsage: false, raw: { model: "m", messages } } as unknown as ChatRequest;

/** The walk's steps over one deployment answering `status`, and whether its circuit is still closed after. */
async function walkOver(adapter: ProviderAdapter, status: number, body: unknown) {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", development: false, fetch: () => Response.json(body, { status }) });
  servers.push(server);
  const deployment = { id: "d1", provider: adapter.kind, baseUrl: `http://127.0.0.1:${server.port}`, model: "m", region: "eu", credentialRef: "env:K" } as SnapshotDeployment;
  const breaker = createMemoryBreaker({ failureThreshold: 1, coolDownMs: 60_000 });
  const result = await executeChat(chat, [{ deployment, adapter }], testExecuteOptions({ health: breaker }));
  return { steps: result.trail.steps.map((s) => `${s.outcome}:${s.reason}`), closed: breaker.canAttempt("d1") };
}

for (const [adapter, body] of adapters) {
  test(`${adapter.kind}: a 499 counts against the breaker as a 503 does`, async () => {
    const cancelled = await walkOver(adapter, 499, body);
    const unavailable = await walkOver(adapter, 503, body);
    expect(cancelled.closed).toBe(false);
    expect(cancelled.steps).toEqual(unavailable.steps.map((s) => s.replace("503", "499")));
  });
}

let v: Awaited<ReturnType<typeof startScriptedVendor>>;
beforeAll(async () => {
  v = await startScriptedVendor(
    {
      "claude-x": { provider: "anthropic", status: 499, json: anthropic499 },
      "gpt-x": { provider: "openai", status: 499, json: openai499 },
      "azure-x": { provider: "azure", status: 499, json: openai499 },
    },
    true,
  );
});
afterAll(() => v.stop());

for (const model of ["claude-x", "gpt-x", "azure-x"]) {
  test(`${model}: the SDK gets the fallback's answer, the 499 deployment having been retried`, async () => {
    const { answer } = await v.chat(model);
    expect(answer.choices[0]?.message.content).toBe("Echo: hi");
    expect(v.calls.get(model)).toBe(2);
  });
}
