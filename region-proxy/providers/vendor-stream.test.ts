import { expect, test } from "bun:test";
import { readSseBatches } from "./sse-reader.ts";
import { VendorProtocolError, type ChatCompletionChunk, type SseEvent, type StreamTranslator } from "./types.ts";
import { readUntilChunks, vendorEvents } from "./vendor-stream.ts";

/** A byte stream that delivers each string as one read. */
function reads(...parts: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const part of parts) controller.enqueue(encoder.encode(part));
      controller.close();
    },
  });
}

/** One chunk per event, its content the event's data; "bad" throws, "skip" gives no chunk. */
const echo: StreamTranslator = {
  onEvent(event: SseEvent): ChatCompletionChunk[] {
    if (event.data === "bad") throw new VendorProtocolError("garbage");
    if (event.data === "skip") return [];
    return [{ id: "c", object: "chat.completion.chunk", created: 0, model: "m", choices: [{ index: 0, delta: { content: event.data }, finish_reason: null }] }];
  },
  finish: () => ({ chunks: [], usage: null }),
};

const contents = (step: { chunks: ChatCompletionChunk[] }) => step.chunks.map((chunk) => chunk.choices[0]!.delta.content);

test("the first chunk goes out alone; after it, every event of a read comes in one step", async () => {
  const events = vendorEvents(readSseBatches(reads("data: skip\n\ndata: a\n\ndata: b\n\ndata: c\n\n", "data: d\n\ndata: e\n\n")));
  expect(contents(await readUntilChunks(events, echo))).toEqual(["a"]);
  expect(contents(await readUntilChunks(events, echo))).toEqual(["b", "c"]);
  expect(contents(await readUntilChunks(events, echo))).toEqual(["d", "e"]);
  expect(await readUntilChunks(events, echo)).toEqual({ chunks: [], done: true, usage: null });
});

test("garbage after good events of the same read: the good chunks first, the failure on the next step", async () => {
  const events = vendorEvents(readSseBatches(reads("data: a\n\ndata: b\n\ndata: bad\n\ndata: c\n\n")));
  expect(contents(await readUntilChunks(events, echo))).toEqual(["a"]);
  expect(contents(await readUntilChunks(events, echo))).toEqual(["b"]);
  await expect(readUntilChunks(events, echo)).rejects.toThrow("garbage");
});

test("garbage before any chunk fails the first step", async () => {
  const events = vendorEvents(readSseBatches(reads("data: skip\n\ndata: bad\n\ndata: a\n\n")));
  await expect(readUntilChunks(events, echo)).rejects.toThrow("garbage");
});
