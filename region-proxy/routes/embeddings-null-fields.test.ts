/**
 * `dimensions: null` and `user: null` are "not given" (parse-embeddings-request.ts reads them so, as
 * openai-python sends an optional argument of None), so they are not sent on to OpenAI or Azure: OpenAI
 * answers text-embedding-ada-002 a 400 "This model does not support specifying dimensions." for
 * `dimensions: None` too (https://github.com/sbintuitions/JMTEB/pull/14), and OpenAI-compatible servers
 * refuse a null where their schema wants a number (https://github.com/ANative-Lab/EvoAgentX/pull/214).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startFakeOpenAI, type FakeOpenAI } from "../../test/fakes/openai.ts";
import { startVendorBehindProxy, type VendorBehindProxy } from "../testing/vendor-behind-proxy.ts";

let vp: VendorBehindProxy<FakeOpenAI>;
beforeAll(async () => {
  vp = await startVendorBehindProxy({ provider: "openai", start: startFakeOpenAI, baseUrl: (f) => `${f.url}/v1` }, { ada: "text-embedding-ada-002" });
});
afterAll(() => vp?.stop());

test("dimensions: null and user: null reach OpenAI as not given: ada-002 answers instead of refusing dimensions", async () => {
  const answer = await vp.client.embeddings.create({ model: "ada", input: ["alpha", "beta"], dimensions: null as unknown as undefined, user: null as unknown as undefined, encoding_format: "float" });
  expect(answer.data).toHaveLength(2);
  const sent = vp.fake.lastRequest()!.body as Record<string, unknown>;
  expect(Object.hasOwn(sent, "dimensions")).toBe(false);
  expect(Object.hasOwn(sent, "user")).toBe(false);
  expect(sent.model).toBe("text-embedding-ada-002");
});

test("dimensions and user that are given still reach OpenAI (ada-002 refuses dimensions, named)", async () => {
  const refused = await vp.client.embeddings.create({ model: "ada", input: "alpha", dimensions: 8 }).catch((e) => e);
  expect(refused.status).toBe(400);
  expect(refused.param).toBe("dimensions");
  await vp.client.embeddings.create({ model: "ada", input: "alpha", user: "end-user-1" });
  expect((vp.fake.lastRequest()!.body as Record<string, unknown>).user).toBe("end-user-1");
});
