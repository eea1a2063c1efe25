/**
 * OpenAI (and Azure) embeddings usage as billed: the vendor's prompt_tokens when usable, else the
 * gateway's estimate of the input, as chat does (usage-counts.ts): garbage or missing usage is never
 * cheaper than real usage, and the client sees the usage it is charged.
 */
import { describe, expect, test } from "bun:test";
import { VendorProtocolError, type EmbeddingsRequest } from "../types.ts";
import { parseOpenAIEmbeddings } from "./embeddings.ts";

const req: EmbeddingsRequest = { model: "emb", input: ["a".repeat(40), "b".repeat(8)], encodingFormat: "float", raw: {} };
/** What the gateway estimates for `req`: one token per 4 characters of each input. */
const ESTIMATE = 10 + 2;
const answer = (usage: unknown) => ({ object: "list", data: [{ object: "embedding", index: 0, embedding: [1] }, { object: "embedding", index: 1, embedding: [1] }], model: "m", usage });

describe("parseOpenAIEmbeddings usage", () => {
  test("a usable prompt_tokens is billed and shown as the vendor sent it", () => {
    const parsed = parseOpenAIEmbeddings(answer({ prompt_tokens: 7, total_tokens: 7 }), req, { model: "m" });
    expect(parsed.usage.inputTokens).toBe(7);
    expect(parsed.response.usage).toEqual({ prompt_tokens: 7, total_tokens: 7 });
  });

  for (const [what, usage] of [["missing", undefined], ["negative", { prompt_tokens: -5_000_000 }], ["absurd", { prompt_tokens: 1e12 }], ["a string", { prompt_tokens: "7" }], ["fractional", { prompt_tokens: 1.5 }]] as const) {
    test(`${what} prompt_tokens is billed (and shown) as the estimate of the input`, () => {
      const parsed = parseOpenAIEmbeddings(answer(usage), req, { model: "m" });
      expect(parsed.usage.inputTokens).toBe(ESTIMATE);
      expect(parsed.response.usage).toEqual({ prompt_tokens: ESTIMATE, total_tokens: ESTIMATE });
    });
  }

  test("missing prompt_tokens is billed (and shown) as the count the route reserved with, asked once", () => {
    let asked = 0;
    const parsed = parseOpenAIEmbeddings(answer(undefined), req, { model: "m", promptEstimate: () => (asked++, 31) });
    expect(parsed.usage.inputTokens).toBe(31);
    expect(parsed.response.usage).toEqual({ prompt_tokens: 31, total_tokens: 31 });
    expect(asked).toBe(1);
    // A usable count is the vendor's, and the estimate is not asked for.
    expect(parseOpenAIEmbeddings(answer({ prompt_tokens: 7 }), req, { model: "m", promptEstimate: () => (asked++, 31) }).usage.inputTokens).toBe(7);
    expect(asked).toBe(1);
  });
});

/**
 * The answer is checked against the request before it reaches the client: one vector per input, each
 * index once, numbers or base64 as asked. Anything else is the vendor breaking its protocol (502), not
 * a list the SDK would take for a short result or crash on.
 */
describe("parseOpenAIEmbeddings data", () => {
  const item = (index: unknown, embedding: unknown) => ({ object: "embedding", index, embedding });
  const withData = (data: unknown) => ({ object: "list", data, model: "m", usage: { prompt_tokens: 2, total_tokens: 2 } });
  const asked = (input: EmbeddingsRequest["input"], encodingFormat: "float" | "base64" = "float"): EmbeddingsRequest => ({ model: "emb", input, encodingFormat, raw: {} });
  const floatsAsBase64 = (values: number[]) => Buffer.from(new Float32Array(values).buffer).toString("base64");

  const refused: [string, EmbeddingsRequest, unknown][] = [
    ["no vector for two inputs", asked(["a", "b"]), []],
    ["one vector for two inputs", asked(["a", "b"]), [item(0, [0.1])]],
    ["three vectors for two inputs", asked(["a", "b"]), [item(0, [0.1]), item(1, [0.1]), item(2, [0.1])]],
    ["items that are not objects", asked(["a", "b", "c"]), [1, "x", null]],
    ["an index given twice", asked(["a", "b"]), [item(0, [0.1]), item(0, [0.2])]],
    ["an index out of range", asked(["a", "b"]), [item(0, [0.1]), item(2, [0.2])]],
    ["a negative index", asked("a"), [item(-1, [0.1])]],
    ["a fractional index", asked("a"), [item(0.5, [0.1])]],
    ["an index as a string", asked("a"), [item("0", [0.1])]],
    ["a missing index whose position another item claims", asked(["a", "b"]), [item(1, [0.1]), { object: "embedding", embedding: [0.2] }]],
    ["no embedding", asked("a"), [{ object: "embedding", index: 0 }]],
    ["an empty vector", asked("a"), [item(0, [])]],
    ["a vector with a string", asked("a"), [item(0, [0.1, "0.2"])]],
    ["a vector with null", asked("a"), [item(0, [0.1, null])]],
    ["a vector with an infinite number", asked("a"), [item(0, [0.1, Infinity])]],
    ["an embedding that is an object", asked("a"), [item(0, { values: [0.1] })]],
    ["base64 when floats were asked", asked("a"), [item(0, floatsAsBase64([0.1]))]],
    ["base64 that is not base64", asked("a", "base64"), [item(0, "not base64!")]],
    ["base64 that is not whole float32s", asked("a", "base64"), [item(0, Buffer.from([1, 2, 3]).toString("base64"))]],
    ["empty base64", asked("a", "base64"), [item(0, "")]],
    ["two vectors for one token array", asked([1, 2, 3]), [item(0, [0.1]), item(1, [0.1])]],
    ["vectors of two lengths", asked(["a", "b"]), [item(0, [0.1, 0.2]), item(1, [0.3])]],
    ["base64 vectors of two lengths", asked(["a", "b"], "base64"), [item(0, floatsAsBase64([0.1, 0.2])), item(1, floatsAsBase64([0.3]))]],
    ["a vector of another size than the dimensions asked", { ...asked("a"), dimensions: 3 }, [item(0, [0.6, 0.8])]],
    ["a base64 vector of another size than the dimensions asked", { ...asked("a", "base64"), dimensions: 3 }, [item(0, floatsAsBase64([0.6, 0.8]))]],
  ];
  test("vectors of the dimensions asked, floats or base64, pass", () => {
    expect(parseOpenAIEmbeddings(withData([item(0, [0.6, 0.8]), item(1, [1, 0])]), { ...asked(["a", "b"]), dimensions: 2 }, { model: "m" }).response.data).toHaveLength(2);
    expect(parseOpenAIEmbeddings(withData([item(0, floatsAsBase64([0.6, 0.8]))]), { ...asked("a", "base64"), dimensions: 2 }, { model: "m" }).response.data).toHaveLength(1);
  });

  for (const [what, req, data] of refused) {
    test(`${what} is a VendorProtocolError`, () => {
      expect(() => parseOpenAIEmbeddings(withData(data), req, { model: "m" })).toThrow(VendorProtocolError);
    });
  }

  test("an item without index is at its position (Gemini's OpenAI-compatible endpoint leaves out index 0)", () => {
    const parsed = parseOpenAIEmbeddings(withData([{ object: "embedding", embedding: [0.1] }, item(1, [0.2])]), asked(["a", "b"]), { model: "m" });
    expect(parsed.response.data).toEqual([{ object: "embedding", index: 0, embedding: [0.1] }, { object: "embedding", index: 1, embedding: [0.2] }]);
    const alone = parseOpenAIEmbeddings(withData([{ embedding: [0.3] }]), asked("a"), { model: "m" });
    expect(alone.response.data).toEqual([{ object: "embedding", index: 0, embedding: [0.3] }]);
  });

  test("a vector per input is passed on, by index, whatever the vendor's order", () => {
    const parsed = parseOpenAIEmbeddings(withData([item(1, [0.2, 0.3]), item(0, [0.1, 0.4])]), asked(["a", "b"]), { model: "m" });
    expect(parsed.response.data).toEqual([
      { object: "embedding", index: 0, embedding: [0.1, 0.4] },
      { object: "embedding", index: 1, embedding: [0.2, 0.3] },
    ]);
  });

  test("inputs are counted as the request gave them: a string and a token array are one input, token arrays one each", () => {
    expect(parseOpenAIEmbeddings(withData([item(0, [0.1])]), asked("a"), { model: "m" }).response.data).toHaveLength(1);
    expect(parseOpenAIEmbeddings(withData([item(0, [0.1])]), asked([1, 2, 3]), { model: "m" }).response.data).toHaveLength(1);
    expect(parseOpenAIEmbeddings(withData([item(0, [0.1]), item(1, [0.2])]), asked([[1], [2, 3]]), { model: "m" }).response.data).toHaveLength(2);
  });

  test("base64 asked and given passes as sent", () => {
    const vector = floatsAsBase64([0.25, -1]);
    expect(parseOpenAIEmbeddings(withData([item(0, vector)]), asked("a", "base64"), { model: "m" }).response.data[0]!.embedding).toBe(vector);
  });

  test("floats when base64 was asked (a server that ignores encoding_format) are encoded as OpenAI does: little-endian float32", () => {
    const parsed = parseOpenAIEmbeddings(withData([item(0, [0.25, -1, 0.1])]), asked("a", "base64"), { model: "m" });
    const bytes = new Uint8Array(Buffer.from(parsed.response.data[0]!.embedding as string, "base64"));
    expect(Array.from(new Float32Array(bytes.buffer))).toEqual([0.25, -1, Math.fround(0.1)]);
  });
});
