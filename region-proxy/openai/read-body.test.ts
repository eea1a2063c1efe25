import { afterAll, expect, test } from "bun:test";
import { connect } from "node:net";
import { DEFAULT_BODY_READ_TIMEOUT_MS } from "../../shared/http/read-body-bytes.ts";
import { readPlainJsonBody } from "../../shared/http/read-json-body.ts";
import { openAiBody, type BodyResult } from "./read-body.ts";

const results: BodyResult[] = [];
const server = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  development: false,
  async fetch(request) {
    const result = openAiBody(await readPlainJsonBody(request, 64, DEFAULT_BODY_READ_TIMEOUT_MS), 64, DEFAULT_BODY_READ_TIMEOUT_MS);
    results.push(result);
    return Response.json(result);
  },
  error: () => new Response("error", { status: 500 }),
});
afterAll(() => server.stop(true));
const url = `http://127.0.0.1:${server.port}`;

test("a declared length is read whole; JSON, empty and invalid bodies are told apart", async () => {
  expect(await (await fetch(url, { method: "POST", body: '{"a":1}' })).json()).toEqual({ ok: true, value: { a: 1 } });
  expect(((await (await fetch(url, { method: "POST", body: " " })).json()) as { error: { message: string } }).error.message).toContain("empty");
  expect(((await (await fetch(url, { method: "POST", body: "{" })).json()) as { error: { message: string } }).error.message).toContain("not valid JSON");
  expect(((await (await fetch(url, { method: "POST", body: "x".repeat(65) })).json()) as { error: { kind: string } }).error.kind).toBe("request_too_large");
});

test("a body cut off before its declared length is an invalid_json verdict, not a throw", async () => {
  const before = results.length;
  const socket = connect({ port: server.port as number, host: "127.0.0.1" });
  await new Promise<void>((resolve) => socket.once("connect", () => resolve()));
  socket.write(`POST / HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 60\r\n\r\n{"a":`);
  await Bun.sleep(50);
  socket.destroy();
  const deadline = Date.now() + 2_000;
  while (results.length === before && Date.now() < deadline) await Bun.sleep(10);
  expect(results[before]).toEqual({ ok: false, error: { kind: "invalid_json", message: "The request body could not be read completely." } });
});

const post = async (body: BodyInit, headers: Record<string, string> = {}) => (await (await fetch(url, { method: "POST", body, headers, duplex: "half" } as RequestInit)).json()) as BodyResult;
const chunked = (bytes: Uint8Array) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const byte of bytes) controller.enqueue(new Uint8Array([byte]));
      controller.close();
    },
  });

test("a Content-Encoding other than identity is refused as such (not read), whatever the bytes", async () => {
  expect(await post('{"a":1}', { "content-encoding": "gzip" })).toEqual({ ok: false, error: { kind: "unsupported_content_encoding", encoding: "gzip" } });
  expect(await post('{"a":1}', { "content-encoding": " Br " })).toEqual({ ok: false, error: { kind: "unsupported_content_encoding", encoding: "Br" } });
  expect(((await post('{"a":1}', { "content-encoding": "x".repeat(500) })) as { error: { encoding: string } }).error.encoding).toHaveLength(64);
  expect(await post('{"a":1}', { "content-encoding": "Identity" })).toEqual({ ok: true, value: { a: 1 } });
});

test("bytes that are not UTF-8 are refused, declared or chunked; UTF-8 of every width is read", async () => {
  const bad = new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xe2, 0x82, 0x22, 0x7d]); // {"a":"<cut 3-byte sequence>"}
  expect(await post(bad)).toEqual({ ok: false, error: { kind: "invalid_encoding" } });
  expect(await post(chunked(bad))).toEqual({ ok: false, error: { kind: "invalid_encoding" } });
  const good = new TextEncoder().encode('{"a":"é你🙂"}');
  expect(await post(good)).toEqual({ ok: true, value: { a: "é你🙂" } });
  expect(await post(chunked(good))).toEqual({ ok: true, value: { a: "é你🙂" } });
});

test("the limit counts bytes, not characters, declared or chunked", async () => {
  const body = new TextEncoder().encode(`{"a":"${"é".repeat(30)}"}`); // 38 characters, 68 bytes
  expect(((await post(body)) as { error: { kind: string } }).error.kind).toBe("request_too_large");
  expect(((await post(chunked(body))) as { error: { kind: string } }).error.kind).toBe("request_too_large");
});

test("a leading UTF-8 BOM is ignored (RFC 8259 allows it; PowerShell 5.1 and older editors write one), whether the body is declared or chunked", async () => {
  const bom = new TextEncoder().encode('\uFEFF{"a":1}');
  for (const body of [bom, chunked(bom)]) expect(await post(body)).toEqual({ ok: true, value: { a: 1 } });
});
