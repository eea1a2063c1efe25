/**
 * The request body's bytes, before they are JSON: a body sent with a Content-Encoding (gzip, br, …)
 * is a 415 naming the coding, not a misleading "not valid JSON"; a body that is not UTF-8 is a 400
 * instead of reaching the vendor (and the bill) with its bad bytes turned into U+FFFD. Either way,
 * declared length or chunked, for chat and embeddings, nothing is sent to the vendor.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { gzipSync } from "node:zlib";
import type { RunningProxy } from "../main.ts";
import { REGION, startProxyOnBaseSnapshot, type ProxyFixture } from "../testing/proxy-fixture.ts";

let fx: ProxyFixture;
let proxy: RunningProxy;
beforeAll(async () => {
  ({ fx, proxy } = await startProxyOnBaseSnapshot({ maxBodyBytes: 4096 }));
});
afterAll(() => fx?.cleanup());

const chat = JSON.stringify({ model: "chat", messages: [{ role: "user", content: "hi" }] });
const encode = (text: string) => new TextEncoder().encode(text);
/** A chat body whose message holds bytes that are no UTF-8 (a lone 0xff, a cut 2-byte sequence). */
const notUtf8 = new Uint8Array([...encode('{"model":"chat","messages":[{"role":"user","content":"a'), 0xff, 0xfe, 0xc3, ...encode('"}]}')]);
const chunked = (bytes: Uint8Array) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (let i = 0; i < bytes.length; i += 16) controller.enqueue(bytes.subarray(i, i + 16));
      controller.close();
    },
  });

async function post(body: BodyInit, headers: Record<string, string> = {}, path = "/v1/chat/completions") {
  const response = await fetch(`${proxy.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${fx.keys.main}`, "content-type": "application/json", ...headers },
    body,
    duplex: "half",
  } as RequestInit);
  // Refused before any deployment was tried: the gateway's headers, no model or provider.
  expect(response.headers.get("x-request-id")).toStartWith("req_");
  expect([response.headers.get("x-gateway-region"), response.headers.get("x-gateway-attempts"), response.headers.get("x-gateway-fallback")]).toEqual([REGION, "0", "false"]);
  expect(response.headers.get("x-gateway-provider")).toBeNull();
  // A 415 names the codings it would take: none (RFC 9110 §15.5.16; RFC 7694 §3, its example's "Accept-Encoding: identity").
  expect(response.headers.get("accept-encoding")).toBe(response.status === 415 ? "identity" : null);
  return { status: response.status, connection: response.headers.get("connection"), body: await response.json() };
}

describe("Content-Encoding", () => {
  for (const coding of ["gzip", "br", "deflate", "GZIP", "gzip, identity"]) {
    test(`${coding}: 415 unsupported_content_encoding naming it`, async () => {
      const calls = fx.vendor.calls();
      const { status, body, connection } = await post(gzipSync(chat), { "content-encoding": coding });
      expect(status).toBe(415);
      // Its body unread (the client may still be sending it): the connection closes, as the control plane's 415 does.
      expect(connection).toBe("close");
      expect(body).toEqual({
        error: { message: `Content-Encoding '${coding}' is not supported; send the request body uncompressed.`, type: "invalid_request_error", param: null, code: "unsupported_content_encoding" },
      });
      expect(fx.vendor.calls()).toBe(calls);
    });
  }

  test("a chunked gzip body and an embeddings request are refused the same way", async () => {
    expect((await post(chunked(gzipSync(chat)), { "content-encoding": "gzip" })).status).toBe(415);
    const embeddings = await post(gzipSync(JSON.stringify({ model: "chat", input: "x" })), { "content-encoding": "gzip" }, "/v1/embeddings");
    expect(embeddings.status).toBe(415);
    expect(embeddings.body.error.code).toBe("unsupported_content_encoding");
  });

  test("identity is no coding: the request is served", async () => {
    const response = await fetch(`${proxy.url}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${fx.keys.main}`, "content-encoding": "identity" }, body: chat });
    expect(response.status).toBe(200);
  });
});

describe("UTF-8", () => {
  const refusal = { error: { message: "The request body is not valid UTF-8.", type: "invalid_request_error", param: null, code: "invalid_encoding" } };
  // Read to its end, the body leaves the connection open (connection: null), unlike the 415's.

  test("bytes that are not UTF-8, with a declared length: 400 invalid_encoding, the vendor not called", async () => {
    const calls = fx.vendor.calls();
    expect(await post(notUtf8)).toEqual({ status: 400, connection: null, body: refusal });
    expect(fx.vendor.calls()).toBe(calls);
  });

  test("bytes that are not UTF-8, chunked: the same 400", async () => {
    expect(await post(chunked(notUtf8))).toEqual({ status: 400, connection: null, body: refusal });
  });

  test("an embeddings input that is not UTF-8: the same 400", async () => {
    const body = new Uint8Array([...encode('{"model":"chat","input":"'), 0xc0, 0x80, ...encode('"}')]);
    expect(await post(body, {}, "/v1/embeddings")).toEqual({ status: 400, connection: null, body: refusal });
  });

  test("multi-byte UTF-8 (accents, CJK, emoji) is served, declared or chunked", async () => {
    const text = JSON.stringify({ model: "chat", messages: [{ role: "user", content: "héllo 你好 🙂" }] });
    for (const body of [text, chunked(encode(text))]) {
      const response = await fetch(`${proxy.url}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${fx.keys.main}` }, body, duplex: "half" } as RequestInit);
      expect(response.status).toBe(200);
      expect(((await response.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content).toContain("你好 🙂");
    }
  });
});
