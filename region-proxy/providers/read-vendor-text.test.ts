import { afterAll, expect, test } from "bun:test";
import { readVendorText } from "./read-vendor-text.ts";
import { VendorProtocolError } from "./types.ts";
import { VendorBodyCutError } from "./vendor-body-cut.ts";

/** A vendor answering with a body of `size` bytes, declared or chunked. */
const vendor = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  development: false,
  fetch(request) {
    const size = Number(new URL(request.url).searchParams.get("size"));
    if (new URL(request.url).pathname === "/declared") return new Response("a".repeat(size));
    if (new URL(request.url).pathname === "/gzip") {
      // Content-Length is the packed size: a few KB on the wire for megabytes once unpacked.
      const packed = Bun.gzipSync(Buffer.from("g".repeat(size)));
      return new Response(packed, { headers: { "content-encoding": "gzip", "content-length": String(packed.byteLength) } });
    }
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent >= size) return controller.close();
        const piece = Math.min(1000, size - sent);
        sent += piece;
        controller.enqueue(new TextEncoder().encode("b".repeat(piece)));
      },
    });
    return new Response(body);
  },
});
afterAll(() => vendor.stop(true));
const get = (path: string, size: number) => fetch(`http://127.0.0.1:${vendor.port}${path}?size=${size}`);

test("a body within the bound is read whole, declared or chunked", async () => {
  expect(await readVendorText(await get("/declared", 5000), 5000)).toBe("a".repeat(5000));
  const chunked = await get("/chunked", 5000);
  expect(chunked.headers.get("content-length")).toBeNull();
  expect(await readVendorText(chunked, 5000)).toBe("b".repeat(5000));
});

test("a body past the bound is a protocol error, by its declared length or by counting", async () => {
  await expect(readVendorText(await get("/declared", 5001), 5000)).rejects.toThrow(VendorProtocolError);
  await expect(readVendorText(await get("/chunked", 50_000), 5000)).rejects.toThrow(VendorProtocolError);
});

test("a compressed body is bounded by its unpacked size, not by its Content-Length (the packed size)", async () => {
  const bomb = await get("/gzip", 8 * 1024 * 1024);
  expect(Number(bomb.headers.get("content-length"))).toBeLessThan(64 * 1024);
  await expect(readVendorText(bomb, 1024 * 1024)).rejects.toThrow(VendorProtocolError);
  expect(await readVendorText(await get("/gzip", 5000), 5000)).toBe("g".repeat(5000));
});

test("a body the connection cuts is a VendorBodyCutError whatever its framing, declared or chunked", async () => {
  const cut = () => new ReadableStream<Uint8Array>({ start: (c) => (c.enqueue(new TextEncoder().encode('{"id":')), c.error(new TypeError("reset"))) });
  await expect(readVendorText(new Response(cut(), { headers: { "content-length": "500" } }))).rejects.toThrow(VendorBodyCutError);
  await expect(readVendorText(new Response(cut()))).rejects.toThrow(VendorBodyCutError);
});
