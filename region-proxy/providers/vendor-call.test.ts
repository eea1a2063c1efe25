import { afterAll, expect, test } from "bun:test";
import { startVendorCall } from "./vendor-call.ts";

/** /hang: never answers; /trickle: headers at once, then one byte and silence; /ok: answers at once. */
const vendor = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  fetch(request) {
    const path = new URL(request.url).pathname;
    if (path === "/hang") return new Promise<Response>(() => {});
    if (path === "/trickle") return new Response(new ReadableStream({ start: (c) => c.enqueue(new TextEncoder().encode("x")) }));
    return new Response("ok");
  },
});
afterAll(() => vendor.stop(true));

const call = (path: string, firstByteMs: number, totalMs: number) =>
  startVendorCall({ url: `http://127.0.0.1:${vendor.port}${path}`, method: "GET", headers: {}, body: "" }, { firstByteMs, deadline: Date.now() + totalMs }, new AbortController().signal);

test("no headers by the first-byte time: aborted then, as a first-byte timeout", async () => {
  const started = Date.now();
  const { handle, response } = call("/hang", 100, 5_000);
  await expect(response).rejects.toThrow();
  expect(Date.now() - started).toBeLessThan(1_000);
  expect(handle.state().timedOut).toBe("first_byte");
  handle.cleanup();
});

test("headers in time, then silence: the same timer runs on to the deadline and aborts as a total timeout", async () => {
  const started = Date.now();
  const { handle, response } = call("/trickle", 100, 400);
  const answer = await response;
  handle.clearFirstByte();
  const reader = answer.body!.getReader();
  await reader.read();
  await expect(reader.read()).rejects.toThrow();
  const elapsed = Date.now() - started;
  expect(elapsed).toBeGreaterThanOrEqual(390);
  expect(elapsed).toBeLessThan(2_000);
  expect(handle.state().timedOut).toBe("total");
  handle.cleanup();
});

test("a deadline sooner than the first-byte time: a total timeout at the deadline", async () => {
  const { handle, response } = call("/hang", 5_000, 100);
  await expect(response).rejects.toThrow();
  expect(handle.state().timedOut).toBe("total");
  handle.cleanup();
});

test("a call cleaned up after its answer is never aborted by its timer", async () => {
  const { handle, response } = call("/ok", 50, 100);
  expect(await (await response).text()).toBe("ok");
  handle.cleanup();
  await Bun.sleep(200);
  expect(handle.state().timedOut).toBeNull();
});

test("a client that already left (while the breaker was asked) aborts the call at once, as client_closed", async () => {
  const client = new AbortController();
  client.abort();
  const started = Date.now();
  const { handle, response } = startVendorCall({ url: `http://127.0.0.1:${vendor.port}/hang`, method: "GET", headers: {}, body: "" }, { firstByteMs: 5_000, deadline: Date.now() + 10_000 }, client.signal);
  await expect(response).rejects.toThrow();
  expect(Date.now() - started).toBeLessThan(1_000);
  expect(handle.state()).toEqual({ clientClosed: true, timedOut: null, heardAt: 0 });
  handle.cleanup();
});

test("no first-byte timer (Infinity, a non-streamed answer): a vendor slower than any first-byte time is cut only at the deadline", async () => {
  const { handle, response } = call("/hang", Infinity, 300);
  await expect(response).rejects.toThrow();
  expect(handle.state().timedOut).toBe("total");
  handle.cleanup();
});

test("heard() ends the first-byte wait, as a stream's first event does, and dates the vendor's latest event", async () => {
  const { handle, response } = call("/trickle", 100, 400);
  await response;
  const before = Date.now();
  handle.heard();
  expect(handle.state().heardAt).toBeGreaterThanOrEqual(before);
  await Bun.sleep(200);
  // Past the first-byte time, before the deadline: not aborted.
  expect(handle.state().timedOut).toBeNull();
  handle.cleanup();
});
