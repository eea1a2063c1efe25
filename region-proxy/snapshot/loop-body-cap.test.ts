/**
 * The snapshot body is read with a byte cap (maxBytes, SNAPSHOT_MAX_BYTES): a Content-Length above it
 * is refused before any of the body is read, a body without one is cut off once past it, and the held
 * snapshot keeps serving. (Tested with a small cap: the default is 256 MB.)
 */
import { afterAll, expect, test } from "bun:test";
import { tempDirs } from "../../test/support/temp-dirs.ts";
import { loopFixture } from "./loop-fixture.ts";

const dirs = tempDirs();
afterAll(dirs.removeAll);
const CAP = 64 * 1024;

test("a chunked body past the cap is cut off there and refused; the held snapshot keeps serving", async () => {
  const f = await loopFixture(dirs.make("loop-cap-"));
  let sent = 0;
  const chunk = new Uint8Array(16 * 1024).fill(65);
  // 64 MB on offer, one chunk at a time: the reader must stop near the cap.
  const server = Bun.serve({
    port: 0,
    fetch: () => new Response(new ReadableStream({
      pull(controller) {
        if (sent >= 64 << 20) return controller.close();
        sent += chunk.length;
        controller.enqueue(chunk);
      },
    }), { headers: { etag: '"2"' } }),
  });
  const loop = f.start(server, { maxBytes: CAP });
  await loop.pollOnce();
  expect(f.current.version()).toBe(1);
  expect(f.logs.join("\n")).toContain(`larger than ${CAP} bytes`);
  expect(sent).toBeLessThan(8 << 20);
  await f.close();
  server.stop(true);
});

test("a Content-Length above the cap is refused without waiting for the body", async () => {
  const f = await loopFixture(dirs.make("loop-cap-"));
  // Declares 1 GB, then sends nothing: reading it would wait for the download timeout.
  const server = Bun.listen({
    hostname: "127.0.0.1",
    port: 0,
    socket: { data: (socket) => void socket.write("HTTP/1.1 200 OK\r\ncontent-length: 1000000000\r\netag: \"2\"\r\n\r\n") },
  });
  const loop = f.start(server, { maxBytes: CAP, downloadTimeoutMs: 10_000 });
  const started = Date.now();
  await loop.pollOnce();
  expect(Date.now() - started).toBeLessThan(2_000);
  expect(f.current.version()).toBe(1);
  expect(f.logs.join("\n")).toContain(`larger than ${CAP} bytes`);
  await f.close();
  server.stop(true);
});

test("a body within the cap is loaded", async () => {
  const f = await loopFixture(dirs.make("loop-cap-"));
  const v2 = await f.sign(2);
  const server = Bun.serve({ port: 0, fetch: () => new Response(v2, { headers: { etag: '"2"' } }) });
  const loop = f.start(server, { maxBytes: v2.length });
  await loop.pollOnce();
  expect(f.current.version()).toBe(2);
  await f.close();
  server.stop(true);
});
