import { expect, test } from "bun:test";
import { readPrefix } from "./read-bounded.ts";

const bytes = (...parts: string[]) => {
  let cancelled = false;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const part of parts) controller.enqueue(new TextEncoder().encode(part));
    },
    cancel() {
      cancelled = true;
    },
  });
  return { stream, cancelled: () => cancelled };
};

test("readPrefix keeps the first maxBytes and cancels the rest unread", async () => {
  const body = bytes("abcd", "efgh", "ijkl");
  expect(new TextDecoder().decode((await readPrefix(body.stream, 6)) as Uint8Array)).toBe("abcdef");
  expect(body.cancelled()).toBe(true);
});

test("readPrefix reads a shorter body whole, and a failing one is cut_off", async () => {
  const whole = new ReadableStream<Uint8Array>({ start: (c) => (c.enqueue(new TextEncoder().encode("ab")), c.close()) });
  expect(new TextDecoder().decode((await readPrefix(whole, 6)) as Uint8Array)).toBe("ab");
  const failing = new ReadableStream<Uint8Array>({ start: (c) => (c.enqueue(new TextEncoder().encode("ab")), c.error(new Error("reset"))) });
  expect(await readPrefix(failing, 6)).toBe("cut_off");
  expect(await readPrefix(null, 6)).toEqual(new Uint8Array(0));
});
