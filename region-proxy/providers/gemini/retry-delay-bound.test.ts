/**
 * Gemini's 429 says its wait in a google.rpc.RetryInfo detail ("retryDelay": "<n>s"), read in
 * gemini/errors.ts outside retry-after.ts, so it escapes MAX_RETRY_AFTER_MS (a day): the client's 429
 * then says Retry-After "Infinity" (or 10^17 s), which retry-after.ts exists to prevent.
 */
import { afterEach, expect, test } from "bun:test";
import type { SnapshotDeployment } from "../../../shared/snapshot/schema.ts";
import { errorResponse } from "../../openai/error-response.ts";
import { executeChat } from "../execute.ts";
import { geminiAdapter } from "./adapter.ts";
import { MAX_RETRY_AFTER_MS } from "../retry-after.ts";
import type { ChatRequest } from "../types.ts";
import { testExecuteOptions } from "../../testing/execute-options.ts";

const servers: ReturnType<typeof Bun.serve>[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.stop(true);
});
const messages = [{ role: "user", content: "hi" }];
const chat = () => ({ model: "m", messages, stream: false, includeUsage: false, raw: { model: "m", messages } }) as unknown as ChatRequest;

for (const retryDelay of ["9".repeat(400) + "s", "100000000000000s"]) {
  test(`a Gemini 429 with retryDelay ${retryDelay.slice(0, 12)}… is told to the client as at most a day`, async () => {
    const server = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      development: false,
      fetch: () =>
        Response.json(
          { error: { code: 429, message: "Resource has been exhausted (e.g. check quota).", status: "RESOURCE_EXHAUSTED", details: [{ "@type": "type.googleapis.com/google.rpc.RetryInfo", retryDelay }] } },
          { status: 429 },
        ),
    });
    servers.push(server);
    const target = { deployment: { id: "g1", provider: "gemini", baseUrl: `http://127.0.0.1:${server.port}`, model: "gemini-2.5-flash", region: "eu", credentialRef: "env:K" } as SnapshotDeployment, adapter: geminiAdapter };
    const result = await executeChat(chat(), [target], testExecuteOptions());
    const answer = errorResponse(!result.ok ? result.error : { kind: "internal_error" }, "req_test");
    expect(answer.status).toBe(429);
    expect({ ms: answer.headers.get("retry-after-ms"), s: answer.headers.get("retry-after") }).toEqual({ ms: String(MAX_RETRY_AFTER_MS), s: String(MAX_RETRY_AFTER_MS / 1000) });
  });
}
