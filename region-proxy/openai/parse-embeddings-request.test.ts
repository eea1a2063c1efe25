import { expect, test } from "bun:test";
import { countTokens as countCl100k } from "gpt-tokenizer/encoding/cl100k_base";
import { countTokens as countO200k } from "gpt-tokenizer/encoding/o200k_base";
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

test("token estimate: per string one per 4 ASCII characters and 5 per 4 others; or the token count", () => {
  expect(estimateEmbeddingTokens("abcdefgh")).toBe(2);
  expect(estimateEmbeddingTokens(["a", "abcde"])).toBe(3);
  expect(estimateEmbeddingTokens([[1, 2, 3], [4]])).toBe(4);
  expect(estimateEmbeddingTokens("预算超支 budget")).toBe(5 + 2); // ceil(4 CJK × 5/4) + ceil(7 ASCII / 4)
  expect(estimateEmbeddingTokens(["Привет", "é"])).toBe(8 + 2);
});

test("a non-Latin input is not under-reserved: the estimate covers what OpenAI's tokenizers bill for it", () => {
  const texts = {
    zh: "预算超支的问题是每个团队都会遇到的，我们需要在请求之前预留最坏情况的费用。",
    ja: "予算の上限を守るために、リクエストの前に最悪の場合の費用を予約します。",
    ko: "예산 한도를 지키기 위해 요청 전에 최악의 경우 비용을 예약합니다.",
    hi: "बजट सीमा बनाए रखने के लिए अनुरोध से पहले सबसे खराब स्थिति की लागत आरक्षित की जाती है।",
    th: "เพื่อรักษาขีดจำกัดงบประมาณ เราจองค่าใช้จ่ายกรณีที่แย่ที่สุดก่อนคำขอ",
    ru: "Чтобы соблюдать лимит бюджета, мы резервируем стоимость худшего случая до запроса.",
    ar: "للحفاظ على حد الميزانية، نحجز تكلفة أسوأ الحالات قبل الطلب.",
    el: "Για να τηρηθεί το όριο του προϋπολογισμού, δεσμεύουμε το κόστος της χειρότερης περίπτωσης.",
    he: "שמירה על מגבלת התקציב מחייבת הזמנה של העלות הגרועה ביותר לפני הבקשה.",
  };
  for (const [script, text] of Object.entries(texts)) {
    const input = text.repeat(50);
    expect([script, estimateEmbeddingTokens(input) >= Math.max(countCl100k(input), countO200k(input))]).toEqual([script, true]);
  }
  // A 10,500-character Chinese text (9,000 cl100k tokens) under a 5,000 µ$ cap at 1 µ$ a token is refused, not admitted at 2,625.
  expect(estimateEmbeddingTokens("预算超支的问题".repeat(1500))).toBeGreaterThanOrEqual(countCl100k("预算超支的问题".repeat(1500)));
});

test("the estimate of a large input is its character count, not a tokenizer's (one pass: cheap whatever the size)", () => {
  const input = Array.from({ length: 2048 }, (_, i) => `预算 ${i} `.repeat(60));
  // Per text: ASCII at 4 characters a token, every other UTF-16 unit at 5/4. A tokenizer's count would differ
  // (cl100k takes 0.5-1.2 tokens a CJK character); no clock is read, so a loaded machine cannot fail it.
  const expected = input.reduce((sum, text) => {
    const ascii = text.replace(/[^\x00-\x7f]/g, "").length;
    return sum + Math.ceil(ascii / 4) + Math.ceil(((text.length - ascii) * 5) / 4);
  }, 0);
  expect(estimateEmbeddingTokens(input)).toBe(expected);
  expect(expected).toBeGreaterThan(2048 * 60 * 3);
});

test("null for user, dimensions or encoding_format is not given, as chat reads it", () => {
  expect(parseEmbeddingsRequest({ model: "e", input: "hi", user: null, dimensions: null, encoding_format: null })).toMatchObject({ ok: true, value: { encodingFormat: "float" } });
});
