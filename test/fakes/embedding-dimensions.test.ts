/**
 * The embedding fakes hold `dimensions` (Gemini: outputDimensionality) to the model's size and answer
 * anything else with the vendor's 400, never by allocating what was asked.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startFakeAzure } from "./azure.ts";
import type { FakeVendor } from "./fake-server.ts";
import { startFakeGemini } from "./gemini.ts";
import { startFakeOpenAI } from "./openai.ts";

let openai: FakeVendor;
let azure: FakeVendor;
let gemini: FakeVendor;
beforeAll(async () => {
  [openai, azure, gemini] = await Promise.all([startFakeOpenAI({ apiKey: "k" }), startFakeAzure({ apiKey: "k" }), startFakeGemini({ apiKey: "k" })]);
});
afterAll(async () => {
  await Promise.all([openai.stop(), azure.stop(), gemini.stop()]);
});

const post = async (url: string, headers: Record<string, string>, body: unknown) => {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};
const openaiEmbed = (model: string, dimensions: unknown) => post(`${openai.url}/v1/embeddings`, { authorization: "Bearer k" }, { model, input: ["a", "b"], dimensions });
const azureEmbed = (dimensions: unknown) => post(`${azure.url}/openai/deployments/embed/embeddings?api-version=2024-10-21`, { "api-key": "k" }, { input: "a", dimensions });
const geminiEmbed = (model: string, outputDimensionality: unknown) =>
  post(`${gemini.url}/v1beta/models/${model}:embedContent`, { "x-goog-api-key": "k" }, { content: { parts: [{ text: "a" }] }, outputDimensionality });
const geminiBatch = (dims: unknown[]) =>
  post(`${gemini.url}/v1beta/models/gemini-embedding-001:batchEmbedContents`, { "x-goog-api-key": "k" }, {
    requests: dims.map((outputDimensionality) => ({ model: "models/gemini-embedding-001", content: { parts: [{ text: "a" }] }, outputDimensionality })),
  });

describe("OpenAI and Azure: dimensions is a positive integer up to the model's size", () => {
  test("each model's own size is answered in full", async () => {
    const small = await openaiEmbed("text-embedding-3-small", 1536);
    expect(small.body.data.map((d: { embedding: number[] }) => d.embedding.length)).toEqual([1536, 1536]);
    expect((await openaiEmbed("text-embedding-3-large", 3072)).body.data[0].embedding.length).toBe(3072);
    expect((await openaiEmbed("text-embedding-fake", 16)).body.data[0].embedding.length).toBe(16);
    expect((await openaiEmbed("text-embedding-fake", null)).body.data[0].embedding.length).toBe(8);
    expect((await azureEmbed(1536)).body.data[0].embedding.length).toBe(1536);
  });

  test("past the size, below 1, or not an integer is OpenAI's 400 naming dimensions", async () => {
    const cases: [string, unknown, string | null][] = [
      ["text-embedding-3-small", 1537, "integer_above_max_value"],
      ["text-embedding-3-large", 3073, "integer_above_max_value"],
      ["text-embedding-fake", 1537, "integer_above_max_value"],
      ["text-embedding-3-small", 0, "integer_below_min_value"],
      ["text-embedding-3-small", -4, "integer_below_min_value"],
      ["text-embedding-3-small", 2.5, "invalid_type"],
      ["text-embedding-3-small", "64", "invalid_type"],
      ["text-embedding-ada-002", 64, null],
    ];
    for (const [model, dimensions, code] of cases) {
      const res = await openaiEmbed(model, dimensions);
      expect([model, dimensions, res.status, res.body.error]).toEqual([model, dimensions, 400, { message: expect.any(String), type: "invalid_request_error", param: "dimensions", code }]);
    }
    const azureTooMany = await azureEmbed(1537);
    expect(azureTooMany).toEqual({ status: 400, body: { error: { message: expect.stringContaining("<= 1536"), type: "invalid_request_error", param: "dimensions", code: "integer_above_max_value" } } });
  });

  test("dimensions 1e9 is a 400 at once, not a billion floats", async () => {
    expect((await openaiEmbed("text-embedding-3-large", 1e9)).body.error).toMatchObject({ param: "dimensions", code: "integer_above_max_value" });
    expect((await azureEmbed(1e9)).body.error).toMatchObject({ param: "dimensions", code: "integer_above_max_value" });
    expect((await openaiEmbed("text-embedding-3-small", 1e300)).status).toBe(400);
  });
});

describe("Gemini: outputDimensionality is an int32 from 1 to the model's size", () => {
  test("the model's size is answered in full, in one request and in a batch", async () => {
    expect((await geminiEmbed("gemini-embedding-001", 3072)).body.embedding.values.length).toBe(3072);
    expect((await geminiEmbed("text-embedding-004", 768)).body.embedding.values.length).toBe(768);
    expect((await geminiEmbed("gemini-embedding-001", null)).body.embedding.values.length).toBe(5);
    expect((await geminiBatch([3, 3072])).body.embeddings.map((e: { values: number[] }) => e.values.length)).toEqual([3, 3072]);
  });

  test("past the size or below 1 is Google's INVALID_ARGUMENT naming the request's field", async () => {
    for (const [model, dims, max] of [["gemini-embedding-001", 3073, 3072], ["text-embedding-004", 769, 768], ["gemini-embedding-001", 0, 3072]] as const) {
      const res = await geminiEmbed(model, dims);
      expect(res).toEqual({ status: 400, body: { error: { code: 400, status: "INVALID_ARGUMENT", message: `* EmbedContentRequest.output_dimensionality: must be between 1 and ${max}, got ${dims}` } } });
    }
    const batch = await geminiBatch([8, 3073]);
    expect(batch.status).toBe(400);
    expect(batch.body.error.message).toStartWith("* BatchEmbedContentsRequest.requests[1].output_dimensionality:");
  });

  test("what is not an int32 is not parsed: Invalid value (TYPE_INT32)", async () => {
    for (const dims of [2.5, "8", 1e10, true]) {
      const res = await geminiEmbed("gemini-embedding-001", dims);
      expect(res).toEqual({ status: 400, body: { error: { code: 400, status: "INVALID_ARGUMENT", message: `Invalid value at 'output_dimensionality' (TYPE_INT32), ${JSON.stringify(dims)}` } } });
    }
  });

  test("only the model's full size is unit-length; fewer dimensions are its first values, not normalized, as Gemini's are", async () => {
    // https://ai.google.dev/gemini-api/docs/embeddings#ensuring-quality-for-smaller-dimensions
    const norm = (values: number[]) => Math.sqrt(values.reduce((sum, v) => sum + v * v, 0));
    const full: number[] = (await geminiEmbed("gemini-embedding-001", 3072)).body.embedding.values;
    expect(norm(full)).toBeCloseTo(1, 6);
    expect(norm((await geminiEmbed("gemini-embedding-001", null)).body.embedding.values)).toBeCloseTo(1, 6);
    const cut: number[] = (await geminiEmbed("gemini-embedding-001", 8)).body.embedding.values;
    expect(cut).toEqual(full.slice(0, 8));
    expect(Math.abs(norm(cut) - 1)).toBeGreaterThan(0.1);
    const [batchCut] = (await geminiBatch([8])).body.embeddings;
    expect(batchCut.values).toEqual(cut);
  });

  test("outputDimensionality 1e9 is a 400 at once, not a billion floats", async () => {
    expect((await geminiEmbed("gemini-embedding-001", 1e9)).status).toBe(400);
    const batch = await geminiBatch([1e9]);
    expect(batch.body.error).toMatchObject({ code: 400, status: "INVALID_ARGUMENT", message: expect.stringContaining("requests[0].output_dimensionality") });
  });
});
