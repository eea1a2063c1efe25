/**
 * Through the proxy with the official SDK: Azure's answers to the gateway's own misconfiguration are
 * the deployment's failure, not the caller's (who names an alias, never a URL or a deployment):
 * `404 Resource not found` (a wrong path or api-version) and `400 OperationNotSupported` (a chat alias
 * whose deployment is an embeddings model). The chain's next deployment answers and with nothing left
 * the caller gets a 502, not a 4xx. The breaker hears the 404 as a failure, but not
 * OperationNotSupported: the deployment serves its own operation, and a caller must not be able to
 * open its breaker for everyone by sending it the other one.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import type { SnapshotDeployment } from "../../../shared/snapshot/schema.ts";
import { startFakeAzure } from "../../../test/fakes/azure.ts";
import type { FakeVendor } from "../../../test/fakes/fake-server.ts";
import { REGION } from "../../testing/proxy-fixture.ts";
import { useVendorProxy } from "../testing/use-vendor-proxy.ts";

/** Azure's answer when the deployment behind a chat request serves embeddings only. */
const OPERATION_NOT_SUPPORTED = {
  error: {
    code: "OperationNotSupported",
    message: "The chatCompletion operation does not work with the specified model, text-embedding-3-small. Please choose different model and try again. You can learn more about which models can be used with each operation here: https://go.microsoft.com/fwlink/?linkid=2197993.",
  },
};

let azure: FakeVendor;
let embeddingsOnly: ReturnType<typeof Bun.serve>;
let embeddingsOnlyCalls = 0;
beforeAll(async () => {
  azure = await startFakeAzure({ apiKey: "azure-fake-key" });
  embeddingsOnly = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: () => {
      embeddingsOnlyCalls++;
      return Response.json(OPERATION_NOT_SUPPORTED, { status: 400 });
    },
  });
});
afterAll(async () => {
  await azure?.stop();
  embeddingsOnly?.stop(true);
});

const dep = (id: string, baseUrl: string, model: string): SnapshotDeployment => ({ id, provider: "azure", baseUrl, model, region: REGION, credentialRef: "env:AZURE_KEY" });

const t = useVendorProxy({
  proxy: { credentials: { AZURE_KEY: "azure-fake-key" } },
  configure(s) {
    // A baseUrl with a path Azure does not have: every call is 404 Resource not found.
    s.deployments.dep_wrong_path = dep("dep_wrong_path", `${azure.url}/not-azure`, "gpt-4o-deployment");
    s.deployments.dep_wrong_path_b = dep("dep_wrong_path_b", `${azure.url}/not-azure`, "gpt-4o-deployment");
    s.deployments.dep_embed = dep("dep_embed", `http://127.0.0.1:${embeddingsOnly.port}`, "embed-small");
    s.aliases.notfound = { name: "notfound", chain: ["dep_wrong_path", "dep_echo1"] };
    s.aliases.breaker = { name: "breaker", chain: ["dep_wrong_path_b", "dep_echo1"] };
    s.aliases.wrongop = { name: "wrongop", chain: ["dep_embed", "dep_echo1"] };
    s.aliases.wrongop_breaker = { name: "wrongop_breaker", chain: ["dep_embed_b", "dep_echo1"] };
    s.deployments.dep_embed_b = dep("dep_embed_b", `http://127.0.0.1:${embeddingsOnly.port}`, "embed-small");
    s.aliases.nothing = { name: "nothing", chain: ["dep_wrong_path", "dep_embed"] };
    // A deployment whose model Azure retired, and a reasoning model behind the default (too old) api-version.
    s.deployments.dep_retired = dep("dep_retired", azure.url, "retired-model");
    s.deployments.dep_old_version = dep("dep_old_version", azure.url, "reasoning-model");
    s.aliases.retired = { name: "retired", chain: ["dep_retired", "dep_echo1"] };
    s.aliases.oldversion = { name: "oldversion", chain: ["dep_old_version", "dep_echo1"] };
  },
});

const messages = [{ role: "user" as const, content: "ping" }];

describe("Azure's answers to the gateway's own misconfiguration", () => {
  for (const [alias, deployment] of [["notfound", "dep_wrong_path"], ["wrongop", "dep_embed"], ["retired", "dep_retired"], ["oldversion", "dep_old_version"]] as const) {
    test(`${alias}: the next deployment answers, and the trail says the deployment is unavailable`, async () => {
      const { data, response } = await t.fx.client(t.proxy).chat.completions.create({ model: alias, messages }).withResponse();
      expect(data.choices[0]!.message.content).toBe("Echo: ping");
      expect(response.headers.get("x-gateway-fallback")).toBe("true");
      const event = await t.usageEvent(response.headers.get("x-request-id"));
      expect(event.attemptTrail!.map((s) => [s.deploymentId, s.outcome, s.reason])).toEqual([
        [deployment, "error", deployment === "dep_embed" ? "deployment_unavailable:wrong_operation" : "deployment_unavailable:not_found"],
        ["dep_echo1", "ok", null],
      ]);
    });
  }

  test("the breaker hears each 404 Resource not found as a failure: after 3 the deployment is skipped without a call", async () => {
    const before = azure.calls();
    let last: Response | null = null;
    for (let i = 0; i < 4; i++) {
      const { data, response } = await t.fx.client(t.proxy).chat.completions.create({ model: "breaker", messages }).withResponse();
      expect(data.choices[0]!.message.content).toBe("Echo: ping");
      last = response;
    }
    expect(azure.calls()).toBe(before + 3);
    const event = await t.usageEvent(last!.headers.get("x-request-id"));
    expect(event.attemptTrail!.map((s) => [s.deploymentId, s.outcome, s.reason])).toEqual([
      ["dep_wrong_path_b", "skipped", "circuit_open"],
      ["dep_echo1", "ok", null],
    ]);
  });

  test("OperationNotSupported falls back but is not the deployment's failure: callers sending chat to an embeddings deployment cannot open its breaker for everyone", async () => {
    const before = embeddingsOnlyCalls;
    for (let i = 0; i < 5; i++) {
      const { data } = await t.fx.client(t.proxy).chat.completions.create({ model: "wrongop_breaker", messages }).withResponse();
      expect(data.choices[0]!.message.content).toBe("Echo: ping");
    }
    // Asked every time: the circuit stayed closed.
    expect(embeddingsOnlyCalls).toBe(before + 5);
  });

  test("with nothing else to answer: a 502 upstream_error without Azure's words, not the 404 or 400", async () => {
    const operationCalls = embeddingsOnlyCalls;
    const error = await t.fx.client(t.proxy, undefined, { maxRetries: 0 }).chat.completions.create({ model: "nothing", messages }).catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error.status).toBe(502);
    expect(error.code).toBe("upstream_error");
    const said = JSON.stringify(error.error);
    for (const word of ["Resource not found", "OperationNotSupported", "text-embedding-3-small"]) expect(said).not.toContain(word);
    expect(embeddingsOnlyCalls).toBe(operationCalls + 1);
  });
});
