/**
 * A context-length refusal moves the walk on (a later deployment may have a larger window), but when
 * nothing answers it is what the caller is told: a 400 context_length_exceeded with the vendor's words,
 * not the 502/429 of a fallback that failed for its own reasons (which an SDK retries, sending the
 * too-long prompt down the whole chain again). A later deployment of the same vendor model has the
 * same window and is skipped, not called.
 */
import { expect, test } from "bun:test";
import type { SnapshotDeployment } from "../../shared/snapshot/schema.ts";
import { azureAdapter } from "./azure/adapter.ts";
import { executeChat } from "./execute.ts";
import { openaiAdapter } from "./openai/adapter.ts";
import type { ChatRequest } from "./types.ts";
import { testExecuteOptions } from "../testing/execute-options.ts";
import { useCountingVendors } from "../testing/counting-vendor.ts";

const vendor = useCountingVendors();

const TOO_LONG = "This model's maximum context length is 128000 tokens. However, your messages resulted in 130000 tokens.";
const tooLong = () => Response.json({ error: { message: TOO_LONG, type: "invalid_request_error", param: "messages", code: "context_length_exceeded" } }, { status: 400 });
const failing = (status: number, headers: Record<string, string> = {}) => () => Response.json({ error: { message: "boom", type: "server_error", param: null, code: null } }, { status, headers });
const completion = () => Response.json({ id: "x", object: "chat.completion", created: 1, model: "m", choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } });

const messages = [{ role: "user", content: "a very long prompt" }];
const chat = () => ({ model: "m", messages, stream: false, includeUsage: false, raw: { model: "m", messages } }) as unknown as ChatRequest;
const openai = (id: string, url: string, model = `${id}-model`) => ({
  deployment: { id, provider: "openai", baseUrl: `${url}/v1`, model, region: "eu", credentialRef: "env:K" } as SnapshotDeployment,
  adapter: openaiAdapter,
});
const azure = (id: string, url: string, model: string) => ({
  deployment: { id, provider: "azure", baseUrl: url, model, region: "eu", credentialRef: "env:K" } as SnapshotDeployment,
  adapter: azureAdapter,
});
const steps = (result: Awaited<ReturnType<typeof executeChat>>) => result.trail.steps.map((s) => `${s.deploymentId}:${s.outcome}:${s.reason}`);

for (const [what, answer, reasons] of [
  ["a 500", failing(500), ["d_b:error:status_500", "d_b:error:status_500"]],
  ["a 429 with Retry-After", failing(429, { "retry-after": "1" }), ["d_b:error:status_429", "d_b:error:status_429"]],
  ["a deleted model (404 model_not_found)", () => Response.json({ error: { message: "gone", type: "invalid_request_error", param: null, code: "model_not_found" } }, { status: 404 }), ["d_b:error:deployment_unavailable:not_found"]],
] as const) {
  test(`a context-length refusal, then a fallback that fails with ${what}: the caller is told context_length_exceeded (400)`, async () => {
    const ctx = vendor(tooLong);
    const other = vendor(answer);
    const result = await executeChat(chat(), [openai("d_a", ctx.url), openai("d_b", other.url)], testExecuteOptions());
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error).toEqual({ kind: "vendor_rejected", status: 400, message: TOO_LONG, code: "context_length_exceeded", param: "messages" });
    expect(ctx.calls()).toBe(1);
    expect(steps(result)).toEqual(["d_a:error:context_length", ...reasons]);
    // The answer's headers (x-gateway-model/provider, fallback) name the deployment whose refusal it is.
    expect(result.trail.deployment?.id).toBe("d_a");
    expect(result.trail.fallback).toBe(false);
  });
}

test("a context-length refusal still falls back to another vendor model, which may have a larger window", async () => {
  const ctx = vendor(tooLong);
  const larger = vendor(completion);
  const result = await executeChat(chat(), [openai("d_a", ctx.url, "small"), openai("d_b", larger.url, "large")], testExecuteOptions());
  expect(result.ok).toBe(true);
  expect(steps(result)).toEqual(["d_a:error:context_length", "d_b:ok:null"]);
});

test("a later deployment of the same vendor model (same provider, server and model) is skipped, not called: its window is the same", async () => {
  const first = vendor(tooLong);
  const other = vendor(completion);
  const result = await executeChat(chat(), [openai("d_a", first.url, "gpt-x"), openai("d_b", first.url, "gpt-x"), openai("d_c", other.url, "gpt-y")], testExecuteOptions());
  expect(result.ok).toBe(true);
  expect(first.calls()).toBe(1);
  expect(steps(result)).toEqual(["d_a:error:context_length", "d_b:skipped:context_length_same_model", "d_c:ok:null"]);
});

test("the skip of the same model is no attempt: with nothing else planned the refusal is the answer", async () => {
  const first = vendor(tooLong);
  const result = await executeChat(chat(), [openai("d_a", first.url, "gpt-x"), openai("d_b", first.url, "gpt-x")], testExecuteOptions());
  expect(result.ok).toBe(false);
  expect(!result.ok && result.error).toMatchObject({ kind: "vendor_rejected", status: 400, code: "context_length_exceeded" });
  expect(result.trail.attempts).toBe(1);
  expect(result.trail.deployment?.id).toBe("d_a");
  expect(first.calls()).toBe(1);
});

test("Azure deployments of the same name on another resource are called: an Azure deployment name is the operator's, not the vendor model", async () => {
  const azureTooLong = () => Response.json({ error: { message: TOO_LONG, type: "invalid_request_error", param: "messages", code: "context_length_exceeded" } }, { status: 400 });
  const first = vendor(azureTooLong);
  const second = vendor(completion);
  const result = await executeChat(chat(), [azure("d_az1", first.url, "chat"), azure("d_az2", second.url, "chat")], testExecuteOptions());
  expect(result.ok).toBe(true);
  expect(second.calls()).toBe(1);
});
