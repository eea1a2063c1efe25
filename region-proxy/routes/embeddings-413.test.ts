/**
 * The 413 of 37f25db told every caller that inline `data:` images count and to send images by https
 * URL, but the same answer is /v1/embeddings' (admitRequest reads both bodies), where there are no
 * images: an oversize embeddings batch is told the limit and to send fewer or smaller inputs per
 * request, or to ask the operator to raise MAX_BODY_BYTES.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { APIError } from "openai";
import { startFakeOpenAI } from "../../test/fakes/openai.ts";
import { startVendorBehindProxy, type VendorBehindProxy } from "../testing/vendor-behind-proxy.ts";

let vp: VendorBehindProxy;
beforeAll(async () => {
  vp = await startVendorBehindProxy({ provider: "openai", start: startFakeOpenAI, baseUrl: (f) => `${f.url}/v1` }, { emb: "text-embedding-3-small" });
});
afterAll(async () => {
  await vp?.stop();
});

test("an oversize embeddings batch is told the limit and to send fewer or smaller inputs, not about inline images", async () => {
  const input = Array.from({ length: 600 }, () => "word ".repeat(400));
  const e = (await vp.client.embeddings.create({ model: "emb", input }).catch((x: unknown) => x)) as APIError;
  expect(e).toBeInstanceOf(APIError);
  expect({ status: e.status, code: e.code, type: e.type }).toEqual({ status: 413, code: "request_too_large", type: "invalid_request_error" });
  expect(e.message).toContain("gateway's 1 MiB limit");
  expect(e.message).toMatch(/fewer or smaller inputs/);
  expect(e.message).toContain("MAX_BODY_BYTES");
  expect(e.message).not.toMatch(/image|data:|https URL/i);
});
