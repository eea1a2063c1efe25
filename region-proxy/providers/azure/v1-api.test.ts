/**
 * Azure's v1 API (https://learn.microsoft.com/en-us/azure/ai-foundry/openai/latest): a deployment
 * whose baseUrl is `{endpoint}/openai/v1` is called at `{baseUrl}/chat/completions` and
 * `{baseUrl}/embeddings`, with the Azure deployment name as `model` in the body and no api-version,
 * not built into `{baseUrl}/openai/deployments/...` (which Azure answers 404 Resource not found).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { adapterAgainstFake } from "../../../test/fakes/adapter-against-fake.ts";
import type { SnapshotDeployment } from "../../../shared/snapshot/schema.ts";
import { startFakeAzure } from "../../../test/fakes/azure.ts";
import type { FakeVendor } from "../../../test/fakes/fake-server.ts";
import { assemble } from "../../../test/fixtures/replay.ts";
import { REGION } from "../../testing/proxy-fixture.ts";
import { useVendorProxy } from "../testing/use-vendor-proxy.ts";
import type { ChatRequest, EmbeddingsRequest, ResponseContext } from "../types.ts";
import { azureAdapter } from "./adapter.ts";
import { azureEmbeddings } from "./embeddings.ts";
import { buildAzureRequest } from "./request.ts";

const target = (baseUrl: string, model = "gpt4o-prod"): SnapshotDeployment => ({ id: "dep_v1", provider: "azure", baseUrl, model, region: REGION, credentialRef: "env:AZURE_KEY" });
const messages = [{ role: "user" as const, content: "ping" }];
const chat = (stream = false): ChatRequest => ({ model: "alias", messages, stream, includeUsage: true, raw: { model: "alias", messages, ...(stream ? { stream: true } : {}) } });
const embed: EmbeddingsRequest = { model: "alias", input: ["a b", "c"], encodingFormat: "float", raw: { model: "alias", input: ["a b", "c"] } };
const ctx: ResponseContext = { completionId: "chatcmpl-v1", created: 1, model: "alias", includeUsage: true };

describe("the request for a v1 baseUrl", () => {
  test("chat: {baseUrl}/chat/completions, the deployment as model, api-key, no api-version", () => {
    for (const baseUrl of ["https://res.openai.azure.com/openai/v1", "https://res.openai.azure.com/openai/v1/"]) {
      const http = buildAzureRequest(chat(), target(baseUrl), "az-secret");
      expect(http.url).toBe("https://res.openai.azure.com/openai/v1/chat/completions");
      expect(http.headers["api-key"]).toBe("az-secret");
      expect(http.headers.authorization).toBeUndefined();
      expect(JSON.parse(http.body).model).toBe("gpt4o-prod");
    }
    // The dated form is unchanged.
    expect(buildAzureRequest(chat(), target("https://res.openai.azure.com/openai"), "k").url).toStartWith("https://res.openai.azure.com/openai/deployments/gpt4o-prod/chat/completions?api-version=");
  });

  test("embeddings: {baseUrl}/embeddings with the deployment as model", () => {
    const http = azureEmbeddings.buildRequest(embed, target("https://res.openai.azure.com/openai/v1", "embed-small"), "az-secret");
    expect(http.url).toBe("https://res.openai.azure.com/openai/v1/embeddings");
    expect(http.headers["api-key"]).toBe("az-secret");
    expect(JSON.parse(http.body).model).toBe("embed-small");
  });
});

const vendor = adapterAgainstFake({
  adapter: azureAdapter,
  start: startFakeAzure,
  key: "az-fake",
  target: (baseUrl, deployment = "gpt4o-prod") => target(`${baseUrl}/openai/v1`, deployment),
  ctx,
  streamed: (req) => ({ ...req, stream: true, raw: { ...req.raw, stream: true } }),
});

describe("against the fake's v1 route", () => {
  test("chat, unstreamed and streamed, and embeddings answer; the fake saw Azure's v1 wire format", async () => {
    const fake = vendor.fake();
    const res = await vendor.send(chat());
    expect(res.status).toBe(200);
    const plain = azureAdapter.parseResponse(await res.json(), ctx);
    expect(plain.completion.choices[0]?.message.content).toBe("Echo: ping");
    expect(fake.lastRequest()!.path).toBe("/openai/v1/chat/completions");
    expect((fake.lastRequest()!.body as { model?: string }).model).toBe("gpt4o-prod");
    const streamed = await vendor.stream(chat());
    expect(assemble(streamed.chunks).content).toBe("Echo: ping");
    expect(streamed.usage).toEqual(plain.usage);

    const http = azureEmbeddings.buildRequest(embed, target(`${fake.url}/openai/v1`, "embed-small"), "az-fake");
    const vectors = await fetch(http.url, { method: http.method, headers: http.headers, body: http.body });
    expect(vectors.status).toBe(200);
    expect(((await vectors.json()) as { data: unknown[] }).data).toHaveLength(2);
    expect(fake.lastRequest()!.path).toBe("/openai/v1/embeddings");
  });

  test("the fake's v1 route takes the key as api-key or Bearer, refuses a wrong one, and knows only chat/completions and embeddings", async () => {
    const body = JSON.stringify({ model: "gpt4o-prod", messages });
    const post = (path: string, headers: Record<string, string>) => fetch(`${vendor.fake().url}${path}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body });
    expect((await post("/openai/v1/chat/completions", { authorization: "Bearer az-fake" })).status).toBe(200);
    expect((await post("/openai/v1/chat/completions", { "api-key": "wrong" })).status).toBe(401);
    const unknown = await post("/openai/v1/openai/deployments/gpt4o-prod/chat/completions?api-version=2024-10-21", { "api-key": "az-fake" });
    expect([unknown.status, await unknown.json()]).toEqual([404, { error: { code: "404", message: "Resource not found" } }]);
  });
});

let azure: FakeVendor;
beforeAll(async () => {
  azure = await startFakeAzure({ apiKey: "azure-fake-key" });
});
afterAll(async () => {
  await azure?.stop();
});

const t = useVendorProxy({
  proxy: { credentials: { AZURE_KEY: "azure-fake-key" } },
  configure(s) {
    s.deployments.dep_v1 = target(`${azure.url}/openai/v1`, "gpt-4o-deployment");
    s.aliases.v1 = { name: "v1", chain: ["dep_v1"] };
  },
});

test("through the proxy with the official SDK: a v1 deployment answers, streamed and not", async () => {
  const client = t.fx.client(t.proxy);
  const { data, response } = await client.chat.completions.create({ model: "v1", messages }).withResponse();
  expect(data.choices[0]!.message.content).toBe("Echo: ping");
  expect(response.headers.get("x-gateway-fallback")).not.toBe("true");
  let text = "";
  for await (const chunk of await client.chat.completions.create({ model: "v1", messages, stream: true })) text += chunk.choices[0]?.delta.content ?? "";
  expect(text).toBe("Echo: ping");
});
