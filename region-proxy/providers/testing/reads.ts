/**
 * A vendor body for tests of the stream reader: a byte stream that delivers each string as one read,
 * then ends, or (readsThenHang) stays open, as a vendor that keeps its connection.
 *
 * @example readSseBatches(reads("data: a\n\n", "data: b\n\n")) // two reads of one event each
 */
export function reads(...parts: string[]): ReadableStream<Uint8Array> {
  return byteStream(parts, true);
}

export function readsThenHang(...parts: string[]): ReadableStream<Uint8Array> {
  return byteStream(parts, false);
}

function byteStream(parts: string[], end: boolean): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    start(controller) {
      for (const part of parts) controller.enqueue(encoder.encode(part));
      if (end) controller.close();
    },
  });
}
