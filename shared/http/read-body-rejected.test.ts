/**
 * A body read that fails (readBounded rejects: here a chunked body whose stream is already locked)
 * rejects readBodyBytesWithin's promise at once, as before 162332b; it must not be left unhandled
 * (an unhandled rejection ends a Bun process) while the read waits for its deadline to say "late".
 */
import { expect, test } from "bun:test";
import { readBodyBytesWithin } from "./read-body-bytes.ts";
import { readPlainJsonBody } from "./read-json-body.ts";

function lockedChunkedRequest(): Request {
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(new TextEncoder().encode("{}"));
      controller.close();
    },
  });
  const request = new Request("http://gateway.test/", { method: "POST", body: stream, duplex: "half" } as RequestInit);
  request.body!.getReader(); // locked: readBounded's getReader throws
  return request;
}

test("readBodyBytesWithin: a failing read rejects at once, not 'late' at the deadline", async () => {
  const started = Date.now();
  const outcome = await readBodyBytesWithin(lockedChunkedRequest(), 1024, 400).then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  expect("error" in outcome).toBe(true);
  expect(Date.now() - started).toBeLessThan(300);
});

test("readPlainJsonBody: the same failure rejects at once", async () => {
  const started = Date.now();
  const outcome = await readPlainJsonBody(lockedChunkedRequest(), 1024, 400).then(
    (value) => ({ value }),
    (error: unknown) => ({ error }),
  );
  expect("error" in outcome).toBe(true);
  expect(Date.now() - started).toBeLessThan(300);
});
