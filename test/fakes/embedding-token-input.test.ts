/**
 * The OpenAI and Azure fakes take embeddings `input` in the four shapes both vendors document (string,
 * string[], integer[], integer[][]: https://platform.openai.com/docs/api-reference/embeddings/create,
 * Azure's /openai/v1/embeddings reference): an integer array is ONE input, an array of them is several,
 * one vector each, and usage counts the token ids given. What the real API refuses they refuse in its
 * words: not one of the shapes (a mixed array, a non-integer or negative id, an empty array or string),
 * more than 2048 inputs, an input over 8192 tokens, more than 300,000 tokens in all.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type OpenAI from "openai";
import type { RunningProxy } from "../../region-proxy/main.ts";
import { createProxyFixture, REGION, type ProxyFixture } from "../../region-proxy/testing/proxy-fixture.ts";
import { startFakeAzure } from "./azure.ts";
import type { FakeVendor } from "./fake-server.ts";
import { startFakeOpenAI } from "./openai.ts";

let fx: ProxyFixture;
let openai: FakeVendor;
let azure: FakeVendor;
let proxy: RunningProxy;
let client: OpenAI;
beforeAll(async () => {
  fx = await createProxyFixture();
  openai = await startFakeOpenAI({ apiKey: "ok" });
  azure = await startFakeAzure({ apiKey: "ak" });
  await fx.publish(
    fx.snapshot(1, (s) => {
      s.deployments.dep_o = { id: "dep_o", provider: "openai", baseUrl: `${openai.url}/v1`, model: "text-embedding-3-small", region: REGION, credentialRef: "env:O" };
      s.deployments.dep_az = { id: "dep_az", provider: "azure", baseUrl: azure.url, model: "embed", region: REGION, credentialRef: "env:A" };
      s.aliases.o = { name: "o", chain: ["dep_o"] };
      s.aliases.az = { name: "az", chain: ["dep_az"] };
    }),
  );
  proxy = await fx.startProxy({ credentials: { O: "ok", A: "ak" } });
  client = fx.client(proxy);
});
afterAll(async () => {
  await fx.cleanup();
  await openai.stop();
  await azure.stop();
});

describe("through the proxy with the official SDK", () => {
  for (const alias of ["o", "az"]) {
    test(`${alias}: token-id input (one array, and arrays of them) is embedded, one vector per input`, async () => {
      const one = await client.embeddings.create({ model: alias, input: [9906, 1917] });
      expect(one.data.length).toBe(1);
      expect(one.usage.prompt_tokens).toBe(2);
      const two = await client.embeddings.create({ model: alias, input: [[9906, 1917], [15339]] });
      expect(two.data.map((d) => d.index)).toEqual([0, 1]);
      expect(two.usage).toEqual({ prompt_tokens: 3, total_tokens: 3 });
    });
  }
});

const post = async (url: string, headers: Record<string, string>, body: unknown) => {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
};
const vendors = [
  { name: "OpenAI", embed: (input: unknown) => post(`${openai.url}/v1/embeddings`, { authorization: "Bearer ok" }, { model: "text-embedding-3-small", input }) },
  { name: "Azure", embed: (input: unknown) => post(`${azure.url}/openai/deployments/embed/embeddings?api-version=2024-10-21`, { "api-key": "ak" }, { input }) },
  { name: "Azure v1", embed: (input: unknown) => post(`${azure.url}/openai/v1/embeddings`, { "api-key": "ak" }, { model: "embed", input }) },
];
/** OpenAI's answer to an `input` its schema does not take (https://github.com/embeddings-benchmark/mteb/issues/1200); Azure's is the same (Azure/azure-sdk-for-js#28253). */
const INVALID = { message: "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.", type: "invalid_request_error", param: null, code: null };
const ids = (n: number) => Array.from({ length: n }, (_, i) => i % 100_000);

describe.each(vendors)("$name fake", ({ name, embed }) => {
  test("each documented shape is answered, one vector per input, usage the token ids given (texts: 1 per 4 characters)", async () => {
    const cases: [unknown, number, number][] = [
      ["hello world!", 1, 3],
      [["hello world!", "hi"], 2, 4],
      [[9906, 1917, 0], 1, 3],
      [[[9906, 1917], [15339], [0, 1, 2, 3]], 3, 7],
      [ids(8192), 1, 8192],
    ];
    for (const [input, vectors, tokens] of cases) {
      const res = await embed(input);
      expect([JSON.stringify(input).slice(0, 40), res.status, res.body.data?.length, res.body.usage]).toEqual([JSON.stringify(input).slice(0, 40), 200, vectors, { prompt_tokens: tokens, total_tokens: tokens }]);
    }
  });

  test("equal token inputs embed equally, different ones not", async () => {
    const { body } = await embed([[9906, 1917], [9906, 1917], [1917, 9906]]);
    expect(body.data[0].embedding).toEqual(body.data[1].embedding);
    expect(body.data[0].embedding).not.toEqual(body.data[2].embedding);
  });

  test("what is not one of the shapes is the vendor's 400 '$.input' is invalid", async () => {
    const bad: unknown[] = [[], "", [""], [[]], [[1], []], [1.5], [-1], [1, -2], [[1, 2.5]], [[-3]], [1, "a"], ["a", 1], [["a"]], ["a", [1]], [[1], 2], [true], [null], 42, { text: "a" }, null];
    for (const input of bad) {
      const res = await embed(input);
      expect([input, res.status, res.body.error]).toEqual([input, 400, INVALID]);
    }
  });

  test("more than 2048 inputs, as strings or token arrays, is refused; 2048 is taken", async () => {
    expect((await embed(Array.from({ length: 2048 }, () => [1]))).status).toBe(200);
    for (const input of [Array.from({ length: 2049 }, () => "a"), Array.from({ length: 2049 }, () => [1])]) {
      const res = await embed(input);
      expect(res.status).toBe(400);
      expect(res.body.error).toEqual(name === "OpenAI" ? INVALID : { message: expect.stringContaining("Too many inputs. The max number of inputs is 2048."), type: "invalid_request_error", param: null, code: null });
    }
  });

  test("an input over 8192 tokens is refused, as one token array or among several", async () => {
    const tooLong = { message: "Invalid 'input': maximum context length is 8192 tokens.", type: "invalid_request_error", param: null, code: null };
    expect(await embed(ids(8193))).toEqual({ status: 400, body: { error: tooLong } });
    expect(await embed([[1], ids(8193)])).toEqual({ status: 400, body: { error: tooLong } });
    expect(await embed("abcd".repeat(8193))).toEqual({ status: 400, body: { error: tooLong } });
  });

  test("more than 300,000 tokens in all is refused with max_tokens_per_request", async () => {
    const many = Array.from({ length: 37 }, () => ids(8192));
    const res = await embed(many);
    expect(res).toEqual({ status: 400, body: { error: { message: "Requested 303104 tokens, max 300000 tokens per request", type: "max_tokens_per_request", param: null, code: "max_tokens_per_request" } } });
  });
});
