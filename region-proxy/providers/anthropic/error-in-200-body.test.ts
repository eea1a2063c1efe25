/**
 * An Anthropic 2xx whose body is only Anthropic's error object (`{"type":"error","error":{"type":...}}`)
 * is read as the HTTP error it stands for the way the same object as a stream's `error` event is: by
 * its documented type (https://docs.anthropic.com/en/api/errors; anthropicErrorStatus). Before, the
 * adapter had no errorStatus and readWholeAnswer read it with OpenAI's status reader, which knows
 * neither request_too_large (a retried 500 instead of the caller's 413) nor overloaded_error (500
 * instead of 529).
 */
import { afterEach, expect, test } from "bun:test";
import type { SnapshotDeployment } from "../../../shared/snapshot/schema.ts";
import { testExecuteOptions } from "../../testing/execute-options.ts";
import { thrownVendorError } from "../../testing/thrown-vendor-error.ts";
import { executeChat } from "../execute.ts";
import { readWholeAnswer } from "../read-whole-answer.ts";
import type { ChatRequest, ResponseContext } from "../types.ts";
import { anthropicAdapter } from "./adapter.ts";

const servers: ReturnType<typeof Bun.serve>[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.stop(true);
});
const messages = [{ role: "user", content: "hi" }];
const chat = { model: "m", messages, stream: false, includeUsage: false, raw: { model: "m", messages } } as unknown as ChatRequest;
const ctx: ResponseContext = { completionId: "chatcmpl-a1", created: 1700000000, model: "claude-x", includeUsage: true };
const errorOf = (type: string) => ({ type: "error", error: { type, message: `a ${type}` } });

/** An Anthropic deployment answering 200 with Anthropic's error object of this type. */
function answering(type: string) {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", development: false, fetch: () => Response.json(errorOf(type)) });
  servers.push(server);
  return { deployment: { id: "a1", provider: "anthropic", baseUrl: `http://127.0.0.1:${server.port}`, model: "claude-x", region: "eu", credentialRef: "env:K" } as SnapshotDeployment, adapter: anthropicAdapter };
}

test("a 200 carrying request_too_large is the caller's 413, not retried", async () => {
  const result = await executeChat(chat, [answering("request_too_large")], testExecuteOptions());
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.trail.steps.map((s) => s.reason)).toEqual(["status_413"]);
  expect(result.error).toMatchObject({ kind: "vendor_rejected", status: 413, code: "request_too_large" });
});

test("a 200 carrying overloaded_error is Anthropic's 529, retried", async () => {
  const result = await executeChat(chat, [answering("overloaded_error")], testExecuteOptions());
  expect(result.ok).toBe(false);
  expect(result.trail.steps.map((s) => s.reason)).toEqual(["status_529", "status_529"]);
});

// Anthropic's errors page lists `504 timeout_error` ("The request timed out while processing",
// https://platform.claude.com/docs/en/api/errors): read as a 500 before, retried but told as the wrong status.
test("a 200 carrying timeout_error is Anthropic's 504, retried", async () => {
  const result = await executeChat(chat, [answering("timeout_error")], testExecuteOptions());
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.trail.steps.map((s) => s.reason)).toEqual(["status_504", "status_504"]);
  expect(result.error).toMatchObject({ kind: "upstream_error", message: "Anthropic answered 504 timeout_error: a timeout_error" });
});

const documented = ["invalid_request_error", "authentication_error", "permission_error", "not_found_error", "request_too_large", "rate_limit_error", "api_error", "timeout_error", "overloaded_error", "billing_error"];
for (const type of documented) {
  test(`${type}: the 200 body and the stream's error event get one verdict`, async () => {
    const body = errorOf(type);
    const whole = await thrownVendorError(() =>
      readWholeAnswer(Response.json(body), {
        classify: anthropicAdapter.classifyError,
        errorStatus: anthropicAdapter.errorStatus,
        redactText: (text) => text,
        parse: (b) => anthropicAdapter.parseResponse(b, ctx),
        reportedUsage: undefined,
      }),
    );
    const streamed = await thrownVendorError(() => anthropicAdapter.createStreamTranslator(ctx).onEvent({ event: "error", data: JSON.stringify(body), id: null }));
    expect(whole).toEqual(streamed);
  });
}
