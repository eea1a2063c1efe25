/**
 * A Gemini 2xx whose body is only Google's error object is read as the HTTP error it stands for the
 * way the same object inside a Gemini stream is (geminiStreamErrorStatus): its HTTP `code`, else what
 * its `status` means in Google's error model (RESOURCE_EXHAUSTED 429, INVALID_ARGUMENT 400,
 * https://cloud.google.com/apis/design/errors). Before, readWholeAnswer read it with OpenAI's status
 * reader, which knows no google.rpc status: a code-less RESOURCE_EXHAUSTED was a retried 500 that
 * counted against the deployment, and a code-less INVALID_ARGUMENT was retried, on chat and embeddings.
 */
import { afterEach, expect, test } from "bun:test";
import type { SnapshotDeployment } from "../../../shared/snapshot/schema.ts";
import { createMemoryBreaker } from "../../breaker/memory-breaker.ts";
import { testExecuteOptions } from "../../testing/execute-options.ts";
import { executeChat } from "../execute.ts";
import { executeEmbeddings } from "../execute-embeddings.ts";
import type { ChatRequest, EmbeddingsRequest } from "../types.ts";
import { geminiAdapter } from "./adapter.ts";

const servers: ReturnType<typeof Bun.serve>[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.stop(true);
});
const messages = [{ role: "user", content: "hi" }];
const chat = { model: "m", messages, stream: false, includeUsage: false, raw: { model: "m", messages } } as unknown as ChatRequest;
const embed: EmbeddingsRequest = { model: "m", input: "hi", encodingFormat: "float", raw: { model: "m", input: "hi" } };
const exhausted = { message: "Resource has been exhausted (e.g. check quota).", status: "RESOURCE_EXHAUSTED" };
const invalid = { message: "Invalid value at 'contents[0]'", status: "INVALID_ARGUMENT" };

/** A Gemini deployment answering 200 with `{"error": error}`. */
function answering(error: object) {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", development: false, fetch: () => Response.json({ error }) });
  servers.push(server);
  return { deployment: { id: "g1", provider: "gemini", baseUrl: `http://127.0.0.1:${server.port}`, model: "gemini-2.5-flash", region: "eu", credentialRef: "env:K" } as SnapshotDeployment, adapter: geminiAdapter };
}

const operations = {
  chat: (target: ReturnType<typeof answering>, health = createMemoryBreaker()) => executeChat(chat, [target], testExecuteOptions({ health })),
  embeddings: (target: ReturnType<typeof answering>, health = createMemoryBreaker()) => executeEmbeddings(embed, [target], { ...testExecuteOptions({ health }), label: "t" }),
};

for (const [name, run] of Object.entries(operations)) {
  test(`${name}: a 200 carrying a code-less RESOURCE_EXHAUSTED is the vendor's 429, no breaker failure`, async () => {
    const breaker = createMemoryBreaker({ failureThreshold: 1, coolDownMs: 60_000 });
    const result = await run(answering(exhausted), breaker);
    expect(result.ok).toBe(false);
    expect(new Set(result.trail.steps.map((s) => s.reason))).toEqual(new Set(["status_429"]));
    await Bun.sleep(10);
    expect(breaker.canAttempt("g1")).toBe(true);
  });

  test(`${name}: a 200 carrying a code-less INVALID_ARGUMENT is the caller's 400, not retried`, async () => {
    const result = await run(answering(invalid));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.trail.steps.map((s) => s.reason)).toEqual(["status_400"]);
    expect(result.error).toMatchObject({ kind: "vendor_rejected", status: 400, code: "INVALID_ARGUMENT" });
  });
}
