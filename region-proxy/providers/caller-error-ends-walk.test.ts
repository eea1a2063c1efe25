/**
 * A caller's 4xx ends the walk (fail fast, attempt-outcome.ts): not even a retry the walk owed an
 * earlier deployment (one that timed out, whose retry is kept for after the rest of the chain) is
 * taken after it. Coming back to it sent the request the vendor had just refused again, and when that
 * deployment timed out again the caller got a 504 (which its SDK retries, chain and all) in place of the
 * 400 saying what to fix.
 */
import { afterEach, expect, test } from "bun:test";
import type { SnapshotDeployment } from "../../shared/snapshot/schema.ts";
import { executeChat } from "./execute.ts";
import { openaiAdapter } from "./openai/adapter.ts";
import type { ChatRequest } from "./types.ts";
import { testExecuteOptions } from "../testing/execute-options.ts";

const servers: ReturnType<typeof Bun.serve>[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.stop(true);
});
function vendor(handle: () => Response | Promise<Response>): { url: string; calls: () => number } {
  let calls = 0;
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", development: false, fetch: () => (calls++, handle()) });
  servers.push(server);
  return { url: `http://127.0.0.1:${server.port}`, calls: () => calls };
}
const messages = [{ role: "user", content: "hi" }];
const chat = { model: "m", messages, stream: false, includeUsage: false, raw: { model: "m", messages } } as unknown as ChatRequest;
const target = (id: string, url: string, totalMs: number) => ({
  deployment: { id, provider: "openai", baseUrl: `${url}/v1`, model: `${id}-model`, region: "eu", credentialRef: "env:K", timeouts: { totalMs } } as SnapshotDeployment,
  adapter: openaiAdapter,
});

test("a fallback's 400 (the request's fault) is the answer: the walk does not come back to retry the deployment that timed out", async () => {
  const hung = vendor(async () => {
    await Bun.sleep(2_000);
    return Response.json({});
  });
  const refusing = vendor(() => Response.json({ error: { message: "Invalid 'messages[0].content': bad.", type: "invalid_request_error", param: "messages", code: "invalid_value" } }, { status: 400 }));
  const result = await executeChat(chat, [target("d1", hung.url, 300), target("d2", refusing.url, 5_000)], testExecuteOptions());
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.error).toMatchObject({ kind: "vendor_rejected", status: 400, code: "invalid_value" });
  expect(result.trail.steps.map((s) => `${s.deploymentId}:${s.reason}`)).toEqual(["d1:timeout_total", "d2:status_400"]);
  expect(hung.calls()).toBe(1);
  expect(result.trail.deployment?.id).toBe("d2");
});
