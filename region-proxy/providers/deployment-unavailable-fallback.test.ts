/**
 * Through the proxy with the official SDK: a deployment the vendor says does not exist (Azure's
 * DeploymentNotFound, OpenAI's model_not_found) is the gateway's configuration problem, not the
 * caller's. The chain's next deployment answers, the breaker opens on it, and with nothing left the
 * caller gets a 502 that names neither the vendor's model nor its words.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import type { SnapshotDeployment } from "../../shared/snapshot/schema.ts";
import { startFakeAzure } from "../../test/fakes/azure.ts";
import type { FakeVendor } from "../../test/fakes/fake-server.ts";
import { startFakeOpenAI, type FakeOpenAI } from "../../test/fakes/openai.ts";
import { REGION } from "../testing/proxy-fixture.ts";
import { useVendorProxy } from "./testing/use-vendor-proxy.ts";

let azure: FakeVendor;
let openai: FakeOpenAI;
// Started before useVendorProxy's beforeAll, which publishes the snapshot naming their URLs.
beforeAll(async () => {
  azure = await startFakeAzure({ apiKey: "azure-fake-key" });
  openai = await startFakeOpenAI({ apiKey: "openai-fake-key" });
});
afterAll(async () => {
  await azure?.stop();
  await openai?.stop();
});

const deployment = (id: string, provider: "azure" | "openai", model: string): SnapshotDeployment => ({
  id,
  provider,
  baseUrl: provider === "azure" ? azure.url : `${openai.url}/v1`,
  model,
  region: REGION,
  credentialRef: provider === "azure" ? "env:AZURE_KEY" : "env:OPENAI_KEY",
});

const t = useVendorProxy({
  proxy: { credentials: { AZURE_KEY: "azure-fake-key", OPENAI_KEY: "openai-fake-key" } },
  configure(s) {
    for (const d of [
      deployment("dep_azure_deleted", "azure", "deleted-deployment"),
      deployment("dep_azure_deleted_b", "azure", "deleted-deployment"),
      deployment("dep_openai_retired", "openai", "retired-model"),
    ]) s.deployments[d.id] = d;
    s.aliases.deleted = { name: "deleted", chain: ["dep_azure_deleted", "dep_echo1"] };
    s.aliases.retired = { name: "retired", chain: ["dep_openai_retired", "dep_echo1"] };
    s.aliases.breaker = { name: "breaker", chain: ["dep_azure_deleted_b", "dep_echo1"] };
    s.aliases.gone = { name: "gone", chain: ["dep_azure_deleted", "dep_openai_retired"] };
  },
});

const messages = [{ role: "user" as const, content: "ping" }];

describe("a deployment the vendor does not have falls back like a failed one", () => {
  test("[Azure answering DeploymentNotFound, healthy] answers 200 from the second, with x-gateway-fallback: true", async () => {
    const before = azure.calls();
    const { data, response } = await t.fx.client(t.proxy).chat.completions.create({ model: "deleted", messages }).withResponse();
    expect(data.choices[0]!.message.content).toBe("Echo: ping");
    expect(response.headers.get("x-gateway-fallback")).toBe("true");
    expect(response.headers.get("x-gateway-attempts")).toBe("2");
    expect(azure.calls()).toBe(before + 1);
    const event = await t.usageEvent(response.headers.get("x-request-id"));
    expect(event.attemptTrail!.map((s) => [s.deploymentId, s.outcome, s.reason])).toEqual([
      ["dep_azure_deleted", "error", "deployment_unavailable:not_found"],
      ["dep_echo1", "ok", null],
    ]);
  });

  test("[OpenAI answering model_not_found, healthy] answers 200 from the second, streamed or not", async () => {
    const before = openai.callsFor("retired-model");
    const { data, response } = await t.fx.client(t.proxy).chat.completions.create({ model: "retired", messages }).withResponse();
    expect(data.choices[0]!.message.content).toBe("Echo: ping");
    expect(response.headers.get("x-gateway-fallback")).toBe("true");
    const { data: stream, response: streamed } = await t.fx.client(t.proxy).chat.completions.create({ model: "retired", messages, stream: true }).withResponse();
    let text = "";
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    expect(text).toBe("Echo: ping");
    expect(streamed.headers.get("x-gateway-fallback")).toBe("true");
    expect(openai.callsFor("retired-model")).toBe(before + 2);
  });

  test("the breaker hears each as a failure: after 3 the deployment is skipped without a call", async () => {
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
      ["dep_azure_deleted_b", "skipped", "circuit_open"],
      ["dep_echo1", "ok", null],
    ]);
  });

  test("with no deployment left: a 502 upstream_error that names neither the vendor's model nor its words, and tells the SDK not to retry", async () => {
    const [azureBefore, openaiBefore] = [azure.calls(), openai.callsFor("retired-model")];
    const error = await t.fx.client(t.proxy, undefined, { maxRetries: 2 }).chat.completions.create({ model: "gone", messages }).catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error.status).toBe(502);
    expect(error.code).toBe("upstream_error");
    expect(error.headers.get("x-should-retry")).toBe("false");
    const said = JSON.stringify(error.error);
    for (const word of ["retired-model", "deleted-deployment", "does not exist", "DeploymentNotFound", "model_not_found"]) expect(said).not.toContain(word);
    // One call each: not retried on the same deployment, nor by the SDK.
    expect(azure.calls()).toBe(azureBefore + 1);
    expect(openai.callsFor("retired-model")).toBe(openaiBefore + 1);
  });
});
