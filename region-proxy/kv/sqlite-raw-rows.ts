/**
 * Rows read straight from a damaged SQLite file's pages, without SQLite: the salvage of a proxy.kv
 * that SQLite refuses to open or scan (damaged-kv.ts).
 *
 * Why not SQLite itself: a file cut short keeps its B-tree intact in what is left, but SQLite refuses
 * it whole ("database disk image is malformed": the header's page count exceeds the file, and the
 * usual way past that, `writable_schema`, is refused by Bun's SQLite), and a scan stops at the first
 * bad page. Here every page is looked at on its own (https://www.sqlite.org/fileformat2.html): each
 * index B-tree page (a Deno KV row lives in one: its `kv` table is WITHOUT ROWID) that still parses
 * yields its cells' records, overflow chains followed while they stay readable; a page or a cell that
 * does not parse is skipped. The -wal's frames (after a crash, the latest commits are only there) stand
 * for their pages where their salt matches the WAL header's.
 *
 * What it yields may include stale copies of rows (a freelist page, a page the WAL superseded): a
 * caller must tolerate a row found twice or one already deleted. Reads only; never writes.
 */
import { closeSync, existsSync, fstatSync, openSync, readSync } from "node:fs";

/** A column value: null, a number (or bigint past 2^53), text or a blob. */
export type RawValue = null | number | bigint | string | Uint8Array;

const HEADER_MAGIC = "SQLite format 3\u0000";
const WAL_MAGICS = [0x377f0682, 0x377f0683];
const WAL_HEADER_BYTES = 32;
const WAL_FRAME_HEADER_BYTES = 24;
const INDEX_INTERIOR = 0x02;
const INDEX_LEAF = 0x0a;
/** Deno KV's page size, for a file whose header is gone and that has no WAL saying otherwise. */
const DEFAULT_PAGE_SIZE = 4096;

interface PageSource {
  pageSize: number;
  usable: number;
  pageCount: number;
  read(page: number): Uint8Array | null;
  close(): void;
}

/** Every record of every index B-tree page of `path` (and its -wal) that can still be read, each once per page. */
export function* rawIndexRecords(path: string): Generator<RawValue[]> {
  const source = openPages(path);
  try {
    for (let page = 1; page <= source.pageCount; page++) {
      const bytes = source.read(page);
      if (bytes) yield* recordsOfPage(bytes, page === 1 ? 100 : 0, source);
    }
  } finally {
    source.close();
  }
}

function openPages(path: string): PageSource {
  const fd = openSync(path, "r");
  const walPath = `${path}-wal`;
  const walFd = existsSync(walPath) ? openSync(walPath, "r") : null;
  const header = readAt(fd, 0, 100);
  const fileBytes = fstatSync(fd).size;
  const headerIntact = header !== null && Buffer.from(header.subarray(0, 16)).toString("latin1") === HEADER_MAGIC;
  const wal = walFd === null ? null : indexWal(walFd);
  let pageSize = headerIntact ? pageSizeOf(header!) : (wal?.pageSize ?? DEFAULT_PAGE_SIZE);
  if (wal && wal.pageSize !== pageSize) pageSize = wal.pageSize;
  const usable = pageSize - (headerIntact ? header![20]! : 0);
  const mainPages = Math.floor(fileBytes / pageSize);
  let pageCount = mainPages;
  for (const page of wal?.frames.keys() ?? []) pageCount = Math.max(pageCount, page);
  return {
    pageSize,
    usable,
    pageCount,
    read(page) {
      if (page < 1 || page > pageCount) return null;
      const frame = wal?.frames.get(page);
      if (frame !== undefined && walFd !== null) return readAt(walFd, frame, pageSize);
      return page <= mainPages ? readAt(fd, (page - 1) * pageSize, pageSize) : null;
    },
    close() {
      closeSync(fd);
      if (walFd !== null) closeSync(walFd);
    },
  };
}

function pageSizeOf(header: Uint8Array): number {
  const raw = (header[16]! << 8) | header[17]!;
  return raw === 1 ? 65536 : raw;
}

/** The WAL's page size and, for each page, where its latest frame (of the current salt) starts. */
function indexWal(fd: number): { pageSize: number; frames: Map<number, number> } | null {
  const header = readAt(fd, 0, WAL_HEADER_BYTES);
  if (!header) return null;
  const view = new DataView(header.buffer, header.byteOffset, header.byteLength);
  if (!WAL_MAGICS.includes(view.getUint32(0))) return null;
  const pageSize = view.getUint32(8);
  if (pageSize < 512 || pageSize > 65536 || (pageSize & (pageSize - 1)) !== 0) return null;
  const salt1 = view.getUint32(16);
  const salt2 = view.getUint32(20);
  const frames = new Map<number, number>();
  const size = fstatSync(fd).size;
  for (let at = WAL_HEADER_BYTES; at + WAL_FRAME_HEADER_BYTES + pageSize <= size; at += WAL_FRAME_HEADER_BYTES + pageSize) {
    const frame = readAt(fd, at, WAL_FRAME_HEADER_BYTES);
    if (!frame) break;
    const f = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
    // Frames of an earlier WAL generation (another salt) are stale: their page is older than the main file's.
    if (f.getUint32(8) !== salt1 || f.getUint32(12) !== salt2) continue;
    const page = f.getUint32(0);
    if (page > 0) frames.set(page, at + WAL_FRAME_HEADER_BYTES);
  }
  return { pageSize, frames };
}

function readAt(fd: number, position: number, length: number): Uint8Array | null {
  const buffer = new Uint8Array(length);
  try {
    return readSync(fd, buffer, 0, length, position) === length ? buffer : null;
  } catch {
    return null;
  }
}

/** The records of one page when it is an index B-tree page; cells that do not parse are skipped. */
function* recordsOfPage(page: Uint8Array, at: number, source: PageSource): Generator<RawValue[]> {
  const type = page[at];
  if (type !== INDEX_LEAF && type !== INDEX_INTERIOR) return;
  const cells = (page[at + 3]! << 8) | page[at + 4]!;
  const pointers = at + (type === INDEX_LEAF ? 8 : 12);
  if (pointers + 2 * cells > source.usable) return;
  for (let i = 0; i < cells; i++) {
    let record: RawValue[] | null = null;
    try {
      const cell = (page[pointers + 2 * i]! << 8) | page[pointers + 2 * i + 1]!;
      const payload = cellPayload(page, type === INDEX_INTERIOR ? cell + 4 : cell, source);
      record = payload && parseRecord(payload);
    } catch {
      record = null;
    }
    if (record) yield record;
  }
}

/** A cell's whole payload (local part, then its overflow chain), or null when any of it cannot be read. */
function cellPayload(page: Uint8Array, at: number, source: PageSource): Uint8Array | null {
  const [size, sizeBytes] = readVarint(page, at);
  const start = at + sizeBytes;
  const u = source.usable;
  const maxLocal = Math.floor(((u - 12) * 64) / 255) - 23;
  const minLocal = Math.floor(((u - 12) * 32) / 255) - 23;
  if (size <= maxLocal) return start + size <= u ? page.slice(start, start + size) : null;
  const k = minLocal + ((size - minLocal) % (u - 4));
  const local = k <= maxLocal ? k : minLocal;
  if (start + local + 4 > u) return null;
  const out = new Uint8Array(size);
  out.set(page.subarray(start, start + local));
  let filled = local;
  let next = new DataView(page.buffer, page.byteOffset + start + local, 4).getUint32(0);
  const seen = new Set<number>();
  while (filled < size) {
    if (next === 0 || seen.has(next)) return null;
    seen.add(next);
    const overflow = source.read(next);
    if (!overflow) return null;
    const take = Math.min(size - filled, u - 4);
    out.set(overflow.subarray(4, 4 + take), filled);
    filled += take;
    next = new DataView(overflow.buffer, overflow.byteOffset, 4).getUint32(0);
  }
  return out;
}

/** SQLite's varint: 1 to 9 bytes, big-endian, 7 bits a byte (all 8 in the ninth). */
function readVarint(bytes: Uint8Array, at: number): [number, number] {
  let value = 0;
  for (let i = 0; i < 8; i++) {
    const byte = bytes[at + i];
    if (byte === undefined) throw new Error("varint past the page");
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) return [value, i + 1];
  }
  const last = bytes[at + 8];
  if (last === undefined) throw new Error("varint past the page");
  return [value * 256 + last, 9];
}

/** A record's columns, or null when its header does not describe its body exactly. */
function parseRecord(payload: Uint8Array): RawValue[] | null {
  const [headerSize, first] = readVarint(payload, 0);
  if (headerSize > payload.length) return null;
  const types: number[] = [];
  for (let at = first; at < headerSize; ) {
    const [type, n] = readVarint(payload, at);
    types.push(type);
    at += n;
  }
  const values: RawValue[] = [];
  let at = headerSize;
  const view = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
  for (const type of types) {
    const width = [0, 1, 2, 3, 4, 6, 8, 8, 0, 0][type] ?? (type >= 12 ? Math.floor((type - 12) / 2) : -1);
    if (width < 0 || at + width > payload.length) return null;
    if (type === 0) values.push(null);
    else if (type === 8 || type === 9) values.push(type - 8);
    else if (type === 7) values.push(view.getFloat64(at));
    else if (type <= 6) values.push(readInt(payload, at, width));
    else if (type % 2 === 0) values.push(payload.slice(at, at + width));
    else values.push(Buffer.from(payload.subarray(at, at + width)).toString("utf8"));
    at += width;
  }
  return at === payload.length ? values : null;
}

/** A big-endian two's-complement integer of 1 to 8 bytes. */
function readInt(bytes: Uint8Array, at: number, width: number): number | bigint {
  let value = 0n;
  for (let i = 0; i < width; i++) value = (value << 8n) | BigInt(bytes[at + i]!);
  if (bytes[at]! & 0x80) value -= 1n << BigInt(8 * width);
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}
