import { expect, test } from "bun:test";
import { embeddingVector } from "./echo-reply.ts";
import { useEchoVendor } from "./test-client.ts";

const echo = useEchoVendor();
const embed = (body: Record<string, unknown>) => echo.post("/v1/embeddings", { model: "echo-embed", encoding_format: "float", ...body });

test("token ids are input as OpenAI takes them: one array is one input, an array of arrays one each", async () => {
  const one = (await (await embed({ input: [15339, 1917] })).json()) as { data: { index: number; embedding: number[] }[]; usage: { prompt_tokens: number } };
  expect(one.data).toHaveLength(1);
  expect(one.data[0]!.embedding).toEqual(embeddingVector("15339 1917"));
  expect(one.usage.prompt_tokens).toBe(2);
  const many = (await (await embed({ input: [[15339, 1917], [42]] })).json()) as typeof one;
  expect(many.data.map((d) => d.index)).toEqual([0, 1]);
  expect(many.usage.prompt_tokens).toBe(3);
});

test("an input of no shape OpenAI takes is its 400", async () => {
  for (const input of [[], [1, "a"], [[1], []], [-1], [1.5], ""]) {
    const res = await embed({ input });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe("invalid_request_error");
  }
});

test("dimensions outside 1..3072, or not an integer, is OpenAI's 400 naming dimensions", async () => {
  const cases = [
    [4000, "integer_above_max_value", "Invalid 'dimensions': integer above maximum value. Expected a value <= 3072, but got 4000 instead."],
    [0, "integer_below_min_value", "Invalid 'dimensions': integer below minimum value. Expected a value >= 1, but got 0 instead."],
    [1.5, "invalid_type", "Invalid type for 'dimensions': expected an integer, but got a decimal instead."],
    ["8", "invalid_type", "Invalid type for 'dimensions': expected an integer, but got a string instead."],
  ] as const;
  for (const [dimensions, code, message] of cases) {
    const res = await embed({ input: "hi", dimensions });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: { message, type: "invalid_request_error", param: "dimensions", code } });
  }
  expect(((await (await embed({ input: "hi", dimensions: 3072 })).json()) as { data: { embedding: number[] }[] }).data[0]!.embedding).toHaveLength(3072);
});

test("the limits OpenAI (and the test fakes) hold embeddings to: 2048 inputs, 8192 tokens an input, 300,000 in all", async () => {
  const tooMany = await embed({ input: Array.from({ length: 2049 }, () => "hi") });
  expect([tooMany.status, ((await tooMany.json()) as { error: { message: string } }).error.message]).toEqual([400, "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference."]);
  const long = await embed({ input: "abcd".repeat(8193) });
  expect([long.status, ((await long.json()) as { error: { message: string } }).error.message]).toEqual([400, "Invalid 'input': maximum context length is 8192 tokens."]);
  const total = await embed({ input: Array.from({ length: 40 }, () => "abcd".repeat(8000)) });
  expect([total.status, ((await total.json()) as { error: { code: string } }).error.code]).toEqual([400, "max_tokens_per_request"]);
  expect((await embed({ input: Array.from({ length: 2048 }, () => "hi") })).status).toBe(200);
});
