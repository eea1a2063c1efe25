/**
 * A throw while building the vendor request that is no refused parameter (a RangeError from a schema
 * walker, say) is a gateway bug: the caller may get the gateway's 500, but a half-open probe slot the
 * walk held for the call is given back, so the next request probes the deployment at once instead of
 * it being skipped until the probe's timeout.
 */
import { afterEach, expect, test } from "bun:test";
import type { SnapshotDeployment } from "../../shared/snapshot/schema.ts";
import { createMemoryBreaker } from "../breaker/memory-breaker.ts";
import { testExecuteOptions } from "../testing/execute-options.ts";
import { executeChat } from "./execute.ts";
import { openaiAdapter } from "./openai/adapter.ts";
import type { ChatRequest, ProviderAdapter } from "./types.ts";

const servers: ReturnType<typeof Bun.serve>[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.stop(true);
});
const completion = { id: "x", object: "chat.completion", created: 1, model: "m", choices: [{ index: 0, message: { role: "assistant", content: "ok" }, finish_reason: "stop" }], usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 } };
function healthy(): string {
  const server = Bun.serve({ port: 0, hostname: "127.0.0.1", development: false, fetch: () => Response.json(completion) });
  servers.push(server);
  return `http://127.0.0.1:${server.port}/v1`;
}

const messages = [{ role: "user", content: "hi" }];
const chat = () => ({ model: "m", messages, stream: false, includeUsage: false, raw: { model: "m", messages } }) as unknown as ChatRequest;
/** OpenAI's adapter, whose request building throws `error` on its first call only. */
function throwingOnce(error: Error): ProviderAdapter {
  let thrown = false;
  return {
    ...openaiAdapter,
    buildRequest(...args) {
      if (!thrown) {
        thrown = true;
        throw error;
      }
      return openaiAdapter.buildRequest(...args);
    },
  };
}

test("a RangeError while building the probe's request gives its half-open slot back: the next request probes at once", async () => {
  const breaker = createMemoryBreaker({ failureThreshold: 1, coolDownMs: 50, probeTimeoutMs: 60_000 });
  breaker.onFailure("d1");
  await Bun.sleep(70);
  const target = { deployment: { id: "d1", provider: "openai", baseUrl: healthy(), model: "gpt-x", region: "eu", credentialRef: "env:K" } as SnapshotDeployment, adapter: throwingOnce(new RangeError("Maximum call stack size exceeded")) };
  const options = testExecuteOptions({ health: breaker });
  // Still a gateway bug to the caller (the route answers 500 internal_error).
  await expect(executeChat(chat(), [target], options)).rejects.toBeInstanceOf(RangeError);
  const next = await executeChat(chat(), [target], options);
  expect(next.ok).toBe(true);
  expect(next.trail.steps.map((s) => `${s.deploymentId}:${s.outcome}:${s.reason}`)).toEqual(["d1:ok:null"]);
});

/**
 * Not a gateway bug: a credential that cannot go in a header (a control character or a non-Latin-1
 * character inside the key, e.g. two keys on two lines of a key file: the resolver trims only the ends)
 * fails that deployment's call as fetch refuses it (a transient "network" failure: the walk falls back
 * to the next deployment), not the whole request with a throw from building the request (the route's 500).
 */
test("a credential no header can carry fails its deployment's call, and the walk falls back to the next", async () => {
  const url = healthy();
  const bad = { deployment: { id: "bad", provider: "openai", baseUrl: url, model: "gpt-x", region: "eu", credentialRef: "env:BAD" } as SnapshotDeployment, adapter: openaiAdapter };
  const good = { deployment: { id: "good", provider: "openai", baseUrl: url, model: "gpt-x", region: "eu", credentialRef: "env:GOOD" } as SnapshotDeployment, adapter: openaiAdapter };
  const options = testExecuteOptions({
    maxAttempts: 3,
    resolveCredential: (ref: string) => ({ ok: true, credential: ref === "env:BAD" ? "sk-one\nsk-two" : "sk-good" }),
  } as never);
  const result = await executeChat(chat(), [bad, good], options);
  expect(result.ok).toBe(true);
  expect(result.trail.steps.map((s) => `${s.deploymentId}:${s.outcome}`).at(-1)).toBe("good:ok");
  expect(result.trail.steps[0]!.deploymentId).toBe("bad");
});
