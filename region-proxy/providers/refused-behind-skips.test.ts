/**
 * A request every deployment that could be reached refuses before its call (a parameter the gateway
 * refuses for each of them) is the caller's 400 naming the parameter, even when one of them was
 * skipped for its open circuit or missing credential: that deployment would have refused it too, so
 * the 503 (or 'misconfigured' 502) would only have an SDK retry a request no deployment takes. A
 * skipped deployment that could have taken it keeps its failure as the answer.
 */
import { afterEach, expect, test } from "bun:test";
import type { SnapshotDeployment } from "../../shared/snapshot/schema.ts";
import { executeChat, type ExecuteOptions } from "./execute.ts";
import { geminiAdapter } from "./gemini/adapter.ts";
import { openaiAdapter } from "./openai/adapter.ts";
import type { ChatRequest } from "./types.ts";
import { testExecuteOptions } from "../testing/execute-options.ts";

const servers: ReturnType<typeof Bun.serve>[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.stop(true);
});
let vendorCalls = 0;
function vendor(): string {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", development: false, fetch: () => (vendorCalls++, new Response("{}", { status: 500 })) });
  servers.push(server);
  return `http://127.0.0.1:${server.port}`;
}

const messages = [{ role: "user", content: "hi" }];
const chat = (extra: Record<string, unknown>) => ({ model: "m", messages, stream: false, includeUsage: false, raw: { model: "m", messages, ...extra }, ...extra }) as unknown as ChatRequest;
const target = (id: string, url: string, provider: "openai" | "gemini", credentialRef = "env:K") => ({
  deployment: { id, provider, baseUrl: provider === "openai" ? `${url}/v1` : url, model: `${id}-model`, region: "eu", credentialRef } as SnapshotDeployment,
  adapter: provider === "openai" ? openaiAdapter : geminiAdapter,
});
const circuitsOpen = (...open: string[]) => ({ canAttempt: (id: string) => !open.includes(id), onSuccess: () => {}, onFailure: () => {}, coolDownLeftMs: (id: string) => (open.includes(id) ? 30_000 : 0) });
const resolveCredential = ((ref: string) => (ref === "env:MISSING" ? { ok: false } : { ok: true, credential: "sk-test" })) as ExecuteOptions["resolveCredential"];
const trailOf = (result: Awaited<ReturnType<typeof executeChat>>) => result.trail.steps.map((s) => `${s.deploymentId}:${s.reason}`);

test("service_tier 'priority' on [OpenAI, OpenAI behind an open circuit]: the 400 naming service_tier, not a 503", async () => {
  const url = vendor();
  const result = await executeChat(chat({ service_tier: "priority" }), [target("o_eu", url, "openai"), target("o_us", url, "openai")], testExecuteOptions({ health: circuitsOpen("o_us") }));
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.error).toMatchObject({ kind: "invalid_value", param: "service_tier" });
  expect(trailOf(result)).toEqual(["o_eu:unsupported_parameter:service_tier", "o_us:circuit_open"]);
});

test("the open circuit first on the chain: the 400 too", async () => {
  const url = vendor();
  const result = await executeChat(chat({ service_tier: "priority" }), [target("o_eu", url, "openai"), target("o_us", url, "openai")], testExecuteOptions({ health: circuitsOpen("o_eu") }));
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.error).toMatchObject({ kind: "invalid_value", param: "service_tier" });
});

test("web_search_options on [OpenAI, OpenAI without its credential]: the 400 naming it, not 'misconfigured'", async () => {
  const url = vendor();
  const result = await executeChat(chat({ web_search_options: {} }), [target("o_eu", url, "openai"), target("o_us", url, "openai", "env:MISSING")], testExecuteOptions({ resolveCredential }));
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.error).toMatchObject({ kind: "invalid_value", param: "web_search_options" });
  expect(trailOf(result)).toEqual(["o_eu:unsupported_parameter:web_search_options", "o_us:credential_missing"]);
});

test("logprobs on two Gemini deployments, the second behind an open circuit: the 400 naming logprobs", async () => {
  const url = vendor();
  const result = await executeChat(chat({ logprobs: true }), [target("g1", url, "gemini"), target("g2", url, "gemini")], testExecuteOptions({ health: circuitsOpen("g2") }));
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.error).toMatchObject({ kind: "invalid_value", param: "logprobs" });
});

test("a skipped deployment that could have taken the request keeps its failure as the answer", async () => {
  const url = vendor();
  const open = await executeChat(chat({ logprobs: true }), [target("g1", url, "gemini"), target("o1", url, "openai")], testExecuteOptions({ health: circuitsOpen("o1") }));
  expect(open.ok).toBe(false);
  if (!open.ok) expect(open.error).toMatchObject({ kind: "upstream_unavailable", retryAfterSeconds: 30 });
  const missing = await executeChat(chat({ logprobs: true }), [target("g1", url, "gemini"), target("o1", url, "openai", "env:MISSING")], testExecuteOptions({ resolveCredential }));
  expect(missing.ok).toBe(false);
  if (!missing.ok) expect(missing.error).toMatchObject({ kind: "upstream_error", message: "The model provider is misconfigured." });
  expect(vendorCalls).toBe(0);
});

test("a skipped deployment whose request build throws no parameter refusal (a gateway bug) counts as one that might take it, and the walk logs it", async () => {
  const url = vendor();
  const lines: string[] = [];
  const buggy = { ...target("o_us", url, "openai"), adapter: { ...openaiAdapter, buildRequest: () => { throw new RangeError("Maximum call stack size exceeded"); } } };
  const result = await executeChat(chat({ service_tier: "priority" }), [target("o_eu", url, "openai"), buggy], testExecuteOptions({ health: circuitsOpen("o_us"), log: (line) => lines.push(line) }));
  expect(result.ok).toBe(false);
  if (!result.ok) expect(result.error).toMatchObject({ kind: "upstream_unavailable", retryAfterSeconds: 30 });
  const logged = lines.filter((line) => line.includes("RangeError"));
  expect(logged).toHaveLength(1);
  expect(logged[0]).toContain("request chatcmpl-test: deployment o_us");
  expect(logged[0]).toContain("Maximum call stack size exceeded");
  expect(logged[0]).not.toContain("sk-test");
});
