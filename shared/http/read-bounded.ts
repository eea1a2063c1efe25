/**
 * Reads a byte stream that declared no length (a chunked body, the client's or a vendor's) chunk by
 * chunk, stopping as soon as it passes `maxBytes`: "too_large" (the stream is cancelled), "cut_off"
 * when the stream failed before its end (the other side went away), else the bytes.
 */
export async function readBounded(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<Uint8Array | "too_large" | "cut_off"> {
  if (!body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        await reader.cancel().catch(() => {});
        return "too_large";
      }
      chunks.push(value);
    }
  } catch {
    return "cut_off";
  }
  return Buffer.concat(chunks);
}

/**
 * The first `maxBytes` of a byte stream (all of it when shorter), the rest cancelled unread: for a body
 * whose beginning is all that is needed (a vendor's error answer, judged by its status and the start of
 * its text). "cut_off" when the stream failed before `maxBytes` or its end.
 *
 * @example const prefix = await readPrefix(response.body, 1024 * 1024); // never more than 1 MB held
 */
export async function readPrefix(body: ReadableStream<Uint8Array> | null, maxBytes: number): Promise<Uint8Array | "cut_off"> {
  if (!body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = body.getReader();
  try {
    while (size < maxBytes) {
      const { done, value } = await reader.read();
      if (done) return Buffer.concat(chunks);
      chunks.push(size + value.byteLength > maxBytes ? value.subarray(0, maxBytes - size) : value);
      size += value.byteLength;
    }
  } catch {
    return "cut_off";
  }
  await reader.cancel().catch(() => {});
  return Buffer.concat(chunks);
}
