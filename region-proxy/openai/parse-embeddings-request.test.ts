import { expect, test } from "bun:test";
import { estimateEmbeddingTokens, parseEmbeddingsRequest } from "./parse-embeddings-request.ts";

test("strings, string arrays and token arrays are accepted; the rest passes through", () => {
  for (const input of ["hi", ["a", "b"], [1, 2, 3], [[1, 2], [3]]]) expect(parseEmbeddingsRequest({ model: "e", input }).ok).toBe(true);
  const parsed = parseEmbeddingsRequest({ model: "e", input: "hi", encoding_format: "base64", dimensions: 64, user: "u", extra: 1 });
  expect(parsed).toMatchObject({ ok: true, value: { encodingFormat: "base64", dimensions: 64, raw: { extra: 1 } } });
});

test("bad fields are refused with the param named", () => {
  const cases: [string, Record<string, unknown>][] = [
    ["model", { input: "x" }],
    ["input", { model: "e" }],
    ["input", { model: "e", input: "" }],
    ["input", { model: "e", input: [] }],
    ["input", { model: "e", input: ["a", ""] }],
    ["input", { model: "e", input: ["a", 1] }],
    ["input", { model: "e", input: [-1] }],
    ["encoding_format", { model: "e", input: "x", encoding_format: "int8" }],
    ["dimensions", { model: "e", input: "x", dimensions: 0 }],
    ["user", { model: "e", input: "x", user: 5 }],
  ];
  for (const [param, body] of cases) expect([param, parseEmbeddingsRequest(body)]).toMatchObject([param, { ok: false, error: { kind: "invalid_value", param } }]);
  expect(parseEmbeddingsRequest([1])).toMatchObject({ ok: false, error: { kind: "invalid_json" } });
});

test("token estimate: one per 4 characters per string, or the token count", () => {
  expect(estimateEmbeddingTokens("abcdefgh")).toBe(2);
  expect(estimateEmbeddingTokens(["a", "abcde"])).toBe(3);
  expect(estimateEmbeddingTokens([[1, 2, 3], [4]])).toBe(4);
});
