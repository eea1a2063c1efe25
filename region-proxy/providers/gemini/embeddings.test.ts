import { expect, test } from "bun:test";
import { startFakeGemini } from "../../../test/fakes/gemini.ts";
import { VendorProtocolError, type EmbeddingsRequest } from "../types.ts";
import { UnsupportedParameterError } from "../unsupported-parameter.ts";
import { geminiEmbeddings } from "./embeddings.ts";

const target = { id: "dep_g", provider: "gemini" as const, baseUrl: "https://generativelanguage.googleapis.com/", model: "gemini-embedding-001", region: "eu", credentialRef: "env:G" };
const req = (input: EmbeddingsRequest["input"], extra: Partial<EmbeddingsRequest> = {}): EmbeddingsRequest => ({ model: "embed", input, encodingFormat: "float", raw: {}, ...extra });

test("one batchEmbedContents call for every input, model and dimensions from the deployment and request", () => {
  const http = geminiEmbeddings.buildRequest(req(["a", "b"], { dimensions: 256 }), target, "AIza-key");
  expect(http.url).toBe("https://generativelanguage.googleapis.com/v1beta/models/gemini-embedding-001:batchEmbedContents");
  expect(http.headers["x-goog-api-key"]).toBe("AIza-key");
  expect(JSON.parse(http.body)).toEqual({
    requests: [
      { model: "models/gemini-embedding-001", content: { parts: [{ text: "a" }] }, outputDimensionality: 256 },
      { model: "models/gemini-embedding-001", content: { parts: [{ text: "b" }] }, outputDimensionality: 256 },
    ],
  });
  expect(() => geminiEmbeddings.buildRequest(req([1, 2, 3]), target, "k")).toThrow(UnsupportedParameterError);
});

test("values become OpenAI embeddings, base64 as little-endian float32; usage reported or approximated", () => {
  const body = { embeddings: [{ values: [0.5, -1] }, { values: [0.25, 2] }] };
  const floats = geminiEmbeddings.parseResponse(body, req(["abcd", "abcdefgh"]), { model: "gemini-embedding-001" });
  expect(floats.response.data).toEqual([
    { object: "embedding", index: 0, embedding: [0.5 / Math.sqrt(1.25), -1 / Math.sqrt(1.25)] },
    { object: "embedding", index: 1, embedding: [0.25 / Math.sqrt(4.0625), 2 / Math.sqrt(4.0625)] },
  ]);
  expect(floats.usage.inputTokens).toBe(3);
  const b64 = geminiEmbeddings.parseResponse({ ...body, usageMetadata: { promptTokenCount: 9 } }, req(["abcd", "abcdefgh"], { encodingFormat: "base64" }), { model: "m" });
  const bytes = Buffer.from(b64.response.data[0]!.embedding as string, "base64");
  const decoded = Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4));
  expect(decoded).toEqual(Array.from(new Float32Array([0.5 / Math.sqrt(1.25), -1 / Math.sqrt(1.25)])));
  expect(b64.response.usage).toEqual({ prompt_tokens: 9, total_tokens: 9 });
  // An unusable count (absurd, negative, fractional) is billed as the estimate, as a missing one is.
  for (const promptTokenCount of [1e12, -4, 2.5]) expect(geminiEmbeddings.parseResponse({ ...body, usageMetadata: { promptTokenCount } }, req(["abcd", "abcdefgh"]), { model: "m" }).usage.inputTokens).toBe(3);
  expect(() => geminiEmbeddings.parseResponse({ nope: 1 }, req("x"), { model: "m" })).toThrow();
});

test("more inputs than Gemini takes in one batch (100) are refused naming input, before any call", () => {
  expect(() => geminiEmbeddings.buildRequest(req(Array.from({ length: 100 }, (_, i) => `t${i}`)), target, "k")).not.toThrow();
  expect(() => geminiEmbeddings.buildRequest(req(Array.from({ length: 101 }, (_, i) => `t${i}`)), target, "k")).toThrow(UnsupportedParameterError);
});

test("an answer with fewer vectors than inputs is a protocol error, not vectors paired with the wrong inputs", () => {
  expect(() => geminiEmbeddings.parseResponse({ embeddings: [{ values: [1] }] }, req(["a", "b", "c"]), { model: "m" })).toThrow(VendorProtocolError);
});

test("an empty vector, a value that is no finite number, vectors of two lengths or not of the dimensions asked are protocol errors", () => {
  const refused: [unknown[], EmbeddingsRequest][] = [
    [[{ values: [] }], req("a")],
    [[{ values: [0.1, null] }], req("a")],
    [[{ values: [0.1, "0.2"] }], req("a")],
    [[{}], req("a")],
    [[null], req("a")],
    [[{ values: [0.6, 0.8] }, { values: [1] }], req(["a", "b"])],
    [[{ values: [0.6, 0.8] }], req("a", { dimensions: 3 })],
    [[{ values: [] }], req("a", { encodingFormat: "base64" })],
  ];
  for (const [embeddings, asked] of refused) expect(() => geminiEmbeddings.parseResponse({ embeddings }, asked, { model: "m" })).toThrow(VendorProtocolError);
  expect(geminiEmbeddings.parseResponse({ embeddings: [{ values: [0.6, 0.8] }, { values: [1, 0] }] }, req(["a", "b"], { dimensions: 2 }), { model: "m" }).response.data).toHaveLength(2);
});

const norm = (values: number[]) => Math.sqrt(values.reduce((sum, v) => sum + v * v, 0));
const floats32 = (base64: string) => {
  const bytes = Buffer.from(base64, "base64");
  return Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4));
};

test("vectors are unit-length, as OpenAI's are, also with dimensions (Gemini normalizes only its full size)", async () => {
  // https://ai.google.dev/gemini-api/docs/embeddings#ensuring-quality-for-smaller-dimensions
  const fake = await startFakeGemini({ apiKey: "k" });
  try {
    for (const extra of [{ dimensions: 8 }, { dimensions: 8, encodingFormat: "base64" as const }, {}]) {
      const asked = req(["hello", "a longer text"], extra);
      const http = geminiEmbeddings.buildRequest(asked, { ...target, baseUrl: fake.url }, "k");
      const res = await fetch(http.url, { method: http.method, headers: http.headers, body: http.body });
      const { response } = geminiEmbeddings.parseResponse(await res.json(), asked, { model: "gemini-embedding-001" });
      for (const { embedding } of response.data) {
        const values = typeof embedding === "string" ? floats32(embedding) : embedding;
        expect(values.length).toBe(extra.dimensions ?? 5);
        expect(norm(values)).toBeCloseTo(1, 5);
      }
    }
  } finally {
    await fake.stop();
  }
});

test("an all-zero vector stays as Gemini sent it (no division by zero)", () => {
  const { response } = geminiEmbeddings.parseResponse({ embeddings: [{ values: [0, 0, 0] }] }, req("a", { dimensions: 3 }), { model: "m" });
  expect(response.data[0]!.embedding).toEqual([0, 0, 0]);
});

test("fields Gemini's embeddings cannot honour are a 400 naming them, before any call: user (no end-user id field) and any field it does not know", () => {
  const param = (raw: Record<string, unknown>) => {
    try {
      geminiEmbeddings.buildRequest(req("hello", { raw: { model: "embed", input: "hello", ...raw } }), target, "k");
      return null;
    } catch (error) {
      if (!(error instanceof UnsupportedParameterError)) throw error;
      return error.param;
    }
  };
  expect(param({ user: "end-user-1" })).toBe("user");
  expect(param({ safety_identifier: "end-user-1" })).toBe("safety_identifier");
  expect(param({ task_type: "RETRIEVAL_QUERY" })).toBe("task_type");
  // What it honours, and the no-op values.
  expect(param({ encoding_format: "base64", dimensions: 256, user: "", safety_identifier: null })).toBeNull();
});
