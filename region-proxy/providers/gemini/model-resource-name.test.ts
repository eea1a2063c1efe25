/**
 * A deployment model written as Google's resource name ("models/gemini-2.5-flash", what ListModels
 * returns and control-plane/deployments/deployment-model.ts accepts) or a tuned model
 * ("tunedModels/my-model") reaches that resource, as Google's SDKs send it: a name starting with
 * models/ or tunedModels/ as it is, any other id under models/ (review rb B2: it was encoded whole,
 * `/v1beta/models/models%2Fgemini-2.5-flash`, the resource models/models/gemini-2.5-flash, a 404 on
 * every call). The id stays one encoded path segment, and embeddings name the same resource in the body.
 */
import { expect, test } from "bun:test";
import { startFakeGemini } from "../../../test/fakes/gemini.ts";
import type { SnapshotDeployment } from "../../../shared/snapshot/schema.ts";
import type { EmbeddingsRequest } from "../types.ts";
import { buildGeminiRequest } from "./request.ts";
import { geminiEmbeddings } from "./embeddings.ts";

const dep = (model: string, baseUrl = "https://generativelanguage.googleapis.com"): SnapshotDeployment => ({ id: "d", provider: "gemini", baseUrl, model, region: "eu", credentialRef: "env:G" });
const chat = (stream = false) => ({ model: "a", messages: [{ role: "user", content: "hi" }], stream, includeUsage: false, raw: {} }) as never;
const embed = { model: "e", input: ["a"], encodingFormat: "float", raw: { input: ["a"], model: "e" } } as EmbeddingsRequest;
const pathOf = (url: string) => new URL(url).pathname;

test("models/<id> reaches Google as models/<id>, not models/models/<id>", () => {
  expect(pathOf(buildGeminiRequest(chat(), dep("models/gemini-2.5-flash"), "k").url)).toBe("/v1beta/models/gemini-2.5-flash:generateContent");
  expect(buildGeminiRequest(chat(true), dep("models/gemini-2.5-flash"), "k").url).toBe("https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
  expect(pathOf(buildGeminiRequest(chat(), dep("gemini-2.5-flash"), "k").url)).toBe("/v1beta/models/gemini-2.5-flash:generateContent");
});

test("tunedModels/<id> reaches Google's tunedModels resource", () => {
  expect(pathOf(buildGeminiRequest(chat(), dep("tunedModels/my-model"), "k").url)).toBe("/v1beta/tunedModels/my-model:generateContent");
});

test("the id stays one path segment: a further / or a ? is encoded, never a path or query of its own", () => {
  expect(pathOf(buildGeminiRequest(chat(), dep("models/a/../../files/x"), "k").url)).toBe("/v1beta/models/a%2F..%2F..%2Ffiles%2Fx:generateContent");
  expect(buildGeminiRequest(chat(), dep("gemini-x?alt=json#y"), "k").url).toBe("https://generativelanguage.googleapis.com/v1beta/models/gemini-x%3Falt%3Djson%23y:generateContent");
});

test("embeddings: the URL and each request's model name the same single resource", () => {
  for (const [model, resource] of [["models/gemini-embedding-001", "models/gemini-embedding-001"], ["gemini-embedding-001", "models/gemini-embedding-001"], ["tunedModels/my-embedder", "tunedModels/my-embedder"]]) {
    const built = geminiEmbeddings.buildRequest(embed, dep(model!), "k");
    expect(pathOf(built.url)).toBe(`/v1beta/${resource}:batchEmbedContents`);
    expect(JSON.parse(built.body).requests[0].model).toBe(resource);
  }
});

test("against the fake (which refuses an encoded /, as Google finds no such model): chat, stream and embeddings answer", async () => {
  const fake = await startFakeGemini({ apiKey: "k" });
  try {
    const call = (http: { url: string; method: string; headers: Record<string, string>; body: string }) => fetch(http.url, { method: http.method, headers: http.headers, body: http.body });
    for (const model of ["models/gemini-2.5-flash", "tunedModels/my-model", "gemini-2.5-flash"]) {
      expect((await call(buildGeminiRequest(chat(), dep(model, fake.url), "k"))).status).toBe(200);
      expect((await call(buildGeminiRequest(chat(true), dep(model, fake.url), "k"))).status).toBe(200);
    }
    expect((await call(geminiEmbeddings.buildRequest(embed, dep("models/gemini-embedding-001", fake.url), "k"))).status).toBe(200);
    // What the adapter used to send: Google's 404 for the model models/models/gemini-2.5-flash.
    const doubled = await fetch(`${fake.url}/v1beta/models/models%2Fgemini-2.5-flash:generateContent`, { method: "POST", headers: { "x-goog-api-key": "k" }, body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "hi" }] }] }) });
    expect(doubled.status).toBe(404);
    expect(((await doubled.json()) as { error: { message: string } }).error.message).toStartWith("models/models/gemini-2.5-flash is not found for API version v1beta");
  } finally {
    await fake.stop();
  }
});
