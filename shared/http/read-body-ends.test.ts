/**
 * readBodyBytesWithin's `ends`: while a read waits, its end is held there (a graceful stop calls it,
 * region-proxy/in-flight.ts bodyReads) and makes the read late at once, the body marked unread; once the
 * read settles, either way, the end is removed, so the set holds only reads still waiting.
 */
import { expect, test } from "bun:test";
import { bodyLeftUnread } from "./body-left-unread.ts";
import { readBodyBytesWithin } from "./read-body-bytes.ts";

const stalled = () =>
  new Request("http://proxy/v1/chat/completions", { method: "POST", body: new ReadableStream({ start: (c) => c.enqueue(new TextEncoder().encode("{")) }), duplex: "half" } as RequestInit);

test("a read still waiting is held in `ends`; calling its end makes it late at once, marked unread, and removes it", async () => {
  const ends = new Set<() => void>();
  const request = stalled();
  const read = readBodyBytesWithin(request, 1024, 60_000, ends);
  expect(ends.size).toBe(1);
  const started = performance.now();
  for (const end of ends) end();
  expect(await read).toBe("late");
  expect(performance.now() - started).toBeLessThan(1_000);
  expect(bodyLeftUnread(request)).toBe(true);
  expect(ends.size).toBe(0);
});

test("a read that ends by itself (whole, or late) leaves nothing in `ends`", async () => {
  const ends = new Set<() => void>();
  expect(await readBodyBytesWithin(new Request("http://proxy/", { method: "POST", body: "{}" }), 1024, 60_000, ends)).toEqual(new TextEncoder().encode("{}"));
  expect(ends.size).toBe(0);
  expect(await readBodyBytesWithin(stalled(), 1024, 20, ends)).toBe("late");
  expect(ends.size).toBe(0);
});
