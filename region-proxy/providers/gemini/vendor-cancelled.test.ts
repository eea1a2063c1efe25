/**
 * Gemini answers `{"error":{"code":499,"message":"The operation was cancelled.","status":"CANCELLED",
 * "errors":[{"reason":"backendError"}]}}` from its own side under heavy load
 * (https://github.com/google-gemini/gemini-cli/issues/20309; over HTTP as a 499 on
 * streamGenerateContent, NoeFabris/opencode-antigravity-auth#508): the vendor's transient failure,
 * retried and fallen back from like a 503, on the HTTP answer and in a stream, code or none. Before, a
 * 499 was the caller's refusal (vendor_rejected 499, no retry, no fallback) and a code-less CANCELLED
 * in a stream a 500. The gateway's own cancel (its client left) never reaches the classification: the
 * walk decides client_closed first.
 */
import { afterEach, expect, test } from "bun:test";
import type { SnapshotDeployment } from "../../../shared/snapshot/schema.ts";
import { testExecuteOptions } from "../../testing/execute-options.ts";
import { thrownVendorError } from "../../testing/thrown-vendor-error.ts";
import { executeChat } from "../execute.ts";
import type { ChatRequest, ResponseContext } from "../types.ts";
import { geminiAdapter } from "./adapter.ts";
import { classifyGeminiError } from "./errors.ts";
import { createGeminiStreamTranslator } from "./stream.ts";

const cancelled = { code: 499, message: "The operation was cancelled.", errors: [{ message: "The operation was cancelled.", domain: "global", reason: "backendError" }], status: "CANCELLED" };
const ctx: ResponseContext = { completionId: "chatcmpl-g1", created: 1700000000, model: "gemini-x", includeUsage: true };

/** The verdict of a Gemini stream event carrying this error object. */
const streamVerdict = (error: object) =>
  thrownVendorError(() => createGeminiStreamTranslator(ctx).onEvent({ event: null, data: JSON.stringify({ error }), id: null }));

const transient = { retryable: true, reason: "status_499", clientError: { kind: "upstream_error" } };

test("an HTTP 499 CANCELLED from Gemini is its transient failure, retried", () => {
  expect(classifyGeminiError(499, new Headers(), JSON.stringify({ error: cancelled }))).toMatchObject(transient);
});

test("a CANCELLED error event, with code 499 or none, is the same transient failure", async () => {
  expect(await streamVerdict(cancelled)).toMatchObject(transient);
  expect(await streamVerdict({ message: "The operation was cancelled.", status: "CANCELLED" })).toMatchObject(transient);
});

const servers: ReturnType<typeof Bun.serve>[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.stop(true);
});
const messages = [{ role: "user", content: "hi" }];
const chat = { model: "m", messages, stream: false, includeUsage: false, raw: { model: "m", messages } } as unknown as ChatRequest;
const answer = { candidates: [{ content: { role: "model", parts: [{ text: "ok" }] }, finishReason: "STOP", index: 0 }], usageMetadata: { promptTokenCount: 1, candidatesTokenCount: 1, totalTokenCount: 2 } };

function target(id: string, fetch: () => Response | Promise<Response>) {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", development: false, fetch });
  servers.push(server);
  return { deployment: { id, provider: "gemini", baseUrl: `http://127.0.0.1:${server.port}`, model: "gemini-2.5-flash", region: "eu", credentialRef: "env:K" } as SnapshotDeployment, adapter: geminiAdapter };
}

test("a deployment answering 499 CANCELLED is retried and fallen back from", async () => {
  const result = await executeChat(chat, [target("g1", () => Response.json({ error: cancelled }, { status: 499 })), target("g2", () => Response.json(answer))], testExecuteOptions());
  expect(result.ok).toBe(true);
  expect(result.trail.steps.map((s) => `${s.deploymentId}:${s.outcome}:${s.reason}`)).toEqual(["g1:error:status_499", "g1:error:status_499", "g2:ok:null"]);
});

test("the gateway's client leaving is still client_closed, even when Gemini then answers 499", async () => {
  const client = new AbortController();
  let answered = 0;
  const slow = target("g1", async () => {
    answered++;
    client.abort();
    await Bun.sleep(20);
    return Response.json({ error: cancelled }, { status: 499 });
  });
  const result = await executeChat(chat, [slow, target("g2", () => Response.json(answer))], testExecuteOptions({ clientSignal: client.signal }));
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.clientClosed).toBe(true);
  expect(result.trail.steps.map((s) => s.reason)).toEqual(["client_closed"]);
  expect(answered).toBe(1);
});
