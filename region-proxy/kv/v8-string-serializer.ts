/**
 * A V8-value-serializer subset for Deno KV under Bun: strings (any length), null, undefined, booleans.
 *
 * Why not `makeLimitedV8Serializer()` from @deno/kv: it writes and reads a string's length as ONE
 * byte, so any value over 255 bytes fails to decode ("Unexpected trailing bytes") — a snapshot or a
 * usage event is always longer. This one uses V8's varint lengths, Latin-1 one-byte strings and
 * UTF-16LE two-byte strings, as https://chromium.googlesource.com/v8/v8/+/refs/heads/main/src/objects/value-serializer.cc does.
 */
const VERSION_TAG = 0xff;
const FORMAT_VERSION = 15;
const ONE_BYTE_STRING = 0x22; // '"'
const TWO_BYTE_STRING = 0x63; // 'c'
const PADDING = 0x00;
const NULL = 0x30; // '0'
const UNDEFINED = 0x5f; // '_'
const TRUE = 0x54; // 'T'
const FALSE = 0x46; // 'F'
const BEYOND_LATIN1 = /[^\u0000-\u00ff]/;

function varint(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return out;
}

export function encodeV8(value: unknown): Uint8Array {
  const head = [VERSION_TAG, FORMAT_VERSION];
  if (value === null) return new Uint8Array([...head, NULL]);
  if (value === undefined) return new Uint8Array([...head, UNDEFINED]);
  if (value === true || value === false) return new Uint8Array([...head, value ? TRUE : FALSE]);
  if (typeof value !== "string") throw new Error(`this KV stores strings only (got ${typeof value}); JSON-encode values first`);
  // Latin-1 strings (all JSON we store, in practice) are copied natively; hot: every outbox write.
  if (!BEYOND_LATIN1.test(value)) {
    const len = varint(value.length);
    const start = head.length + 1 + len.length;
    const out = new Uint8Array(start + value.length);
    out.set([...head, ONE_BYTE_STRING, ...len]);
    Buffer.from(out.buffer, start, value.length).write(value, "latin1");
    return out;
  }
  const len = varint(value.length * 2);
  // V8 aligns two-byte string data to an even offset with a padding tag.
  const pad = (head.length + 1 + len.length) % 2 === 1 ? [PADDING] : [];
  const prefix = [...head, ...pad, TWO_BYTE_STRING, ...len];
  const out = new Uint8Array(prefix.length + value.length * 2);
  out.set(prefix);
  for (let i = 0; i < value.length; i++) {
    const code = value.charCodeAt(i);
    out[prefix.length + 2 * i] = code & 0xff;
    out[prefix.length + 2 * i + 1] = code >> 8;
  }
  return out;
}

export function decodeV8(bytes: Uint8Array): unknown {
  if (bytes[0] !== VERSION_TAG) throw new Error("not a V8-serialized value");
  let pos = 2;
  while (bytes[pos] === PADDING) pos++;
  const tag = bytes[pos++];
  const readVarint = () => {
    let n = 0;
    let scale = 1;
    while (true) {
      const byte = bytes[pos++]!;
      n += (byte & 0x7f) * scale;
      if ((byte & 0x80) === 0) return n;
      scale *= 128;
    }
  };
  const checkEnd = (end: number) => {
    if (end !== bytes.length) throw new Error(`V8 value has ${bytes.length - end} unexpected trailing bytes`);
  };
  switch (tag) {
    case NULL:
      return null;
    case UNDEFINED:
      return undefined;
    case TRUE:
      return true;
    case FALSE:
      return false;
    case ONE_BYTE_STRING: {
      const len = readVarint();
      checkEnd(pos + len);
      return Buffer.from(bytes.buffer, bytes.byteOffset + pos, len).toString("latin1");
    }
    case TWO_BYTE_STRING: {
      const len = readVarint();
      checkEnd(pos + len);
      return new TextDecoder("utf-16le").decode(bytes.subarray(pos, pos + len));
    }
    default:
      throw new Error(`unsupported V8 tag ${tag}; this KV stores strings only`);
  }
}
