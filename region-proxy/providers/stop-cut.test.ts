/**
 * The proxy's stop cutting what still runs (InFlight.cut, watched by the walk as a StopWatch): a call
 * waiting on its vendor is aborted, and a walk waiting to retry ends at once, both as if the client
 * had left (the route then answers 503 shutting_down, routes/settler.ts cutByStop). Driven through
 * executeChat against small local vendors.
 */
import { afterEach, expect, test } from "bun:test";
import type { SnapshotDeployment } from "../../shared/snapshot/schema.ts";
import { InFlight } from "../in-flight.ts";
import { testExecuteOptions } from "../testing/execute-options.ts";
import { executeChat } from "./execute.ts";
import { openaiAdapter } from "./openai/adapter.ts";
import type { ChatRequest } from "./types.ts";

const servers: ReturnType<typeof Bun.serve>[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.stop(true);
});
function vendor(handle: (request: Request) => Response | Promise<Response>) {
  let aborted = 0;
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    development: false,
    fetch: (request) => (request.signal.addEventListener("abort", () => aborted++), handle(request)),
  });
  servers.push(server);
  return { url: `http://127.0.0.1:${server.port}/v1`, aborted: () => aborted };
}
const messages = [{ role: "user", content: "hi" }];
const chat = { model: "m", messages, stream: false, includeUsage: false, raw: { model: "m", messages, stream: false } } as unknown as ChatRequest;
const target = (url: string) => ({ deployment: { id: "d1", provider: "openai", baseUrl: url, model: "m", region: "eu", credentialRef: "env:K" } as SnapshotDeployment, adapter: openaiAdapter });

test("a cut aborts the vendor call a request is waiting on, and the walk ends as a client that left", async () => {
  const hangs = vendor(() => new Promise<Response>(() => {}));
  const stop = new InFlight();
  const started = Date.now();
  const walking = executeChat(chat, [target(hangs.url)], testExecuteOptions({ totalMs: 30_000, stop }));
  setTimeout(() => stop.cut(), 100);
  const result = await walking;
  expect(result.ok).toBe(false);
  expect(!result.ok && result.clientClosed).toBe(true);
  expect(Date.now() - started).toBeLessThan(2_000);
  for (let i = 0; i < 50 && hangs.aborted() === 0; i++) await Bun.sleep(20);
  expect(hangs.aborted()).toBe(1);
});

test("a cut during the wait before a retry ends the walk at once; a cut before the walk starts calls nobody", async () => {
  let calls = 0;
  const limited = vendor(() => (calls++, Response.json({ error: { message: "slow down", type: "requests" } }, { status: 429, headers: { "retry-after": "5" } })));
  const stop = new InFlight();
  const started = Date.now();
  const walking = executeChat(chat, [target(limited.url)], testExecuteOptions({ totalMs: 30_000, stop }));
  setTimeout(() => stop.cut(), 200);
  const result = await walking;
  expect(!result.ok && result.clientClosed).toBe(true);
  expect(Date.now() - started).toBeLessThan(2_000);
  expect(calls).toBe(1);
  const after = await executeChat(chat, [target(limited.url)], testExecuteOptions({ totalMs: 30_000, stop }));
  expect(!after.ok && after.clientClosed).toBe(true);
  expect(calls).toBe(1);
});
