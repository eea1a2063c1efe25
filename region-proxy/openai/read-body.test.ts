import { afterAll, expect, test } from "bun:test";
import { connect } from "node:net";
import { readJsonBody, type BodyResult } from "./read-body.ts";

const results: BodyResult[] = [];
const server = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  development: false,
  async fetch(request) {
    const result = await readJsonBody(request, 64);
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
