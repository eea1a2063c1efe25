import { expect, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { decodeV8, encodeV8 } from "./v8-string-serializer.ts";
import { openProxyKv } from "./open-kv.ts";

const samples = ["", "a", "x".repeat(127), "x".repeat(128), "y".repeat(300), "z".repeat(60_000), "café ☕ 😀 ".repeat(50), JSON.stringify({ n: "ü".repeat(400) })];

test("strings of any length and any characters round-trip", () => {
  for (const s of samples) expect(decodeV8(encodeV8(s))).toBe(s);
  for (const v of [null, undefined, true, false]) expect(decodeV8(encodeV8(v))).toBe(v);
  expect(() => encodeV8({ a: 1 })).toThrow();
});

test("a real KV file stores and lists long values", async () => {
  const dir = mkdtempSync(join(tmpdir(), "kv-"));
  const kv = await openProxyKv(dir);
  for (const [i, s] of samples.entries()) await kv.set(["s", i], s);
  const listed: string[] = [];
  for await (const entry of kv.list<string>({ prefix: ["s"] })) listed.push(entry.value);
  expect(listed).toEqual(samples);
  kv.close();
  rmSync(dir, { recursive: true, force: true });
});

test("every Latin-1 and boundary character keeps its exact code", () => {
  const latin1 = Array.from({ length: 256 }, (_, i) => String.fromCharCode(i)).join("");
  for (const s of [latin1, latin1 + "\u0100", "\u00ff\u0100\uffff"]) expect(decodeV8(encodeV8(s))).toBe(s);
  // One byte per character when every character is Latin-1, as V8 writes it.
  expect(encodeV8(latin1).length).toBe(2 + 1 + 2 + 256);
  const sub = new Uint8Array(10 + encodeV8("héllo").length);
  sub.set(encodeV8("héllo"), 10);
  expect(decodeV8(sub.subarray(10))).toBe("héllo");
});
