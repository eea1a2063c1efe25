/**
 * Prefixed identifiers and the gateway key format, so logs read themselves.
 *
 * @example newId("ten") // "ten_5f3k9x2m7q1c8v4b"
 */

export type IdPrefix = "ten" | "key" | "dep" | "als" | "reg" | "evt" | "req" | "res" | "chg" | "adm" | "prx" | "prn" | "jti";

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"; // Crockford base32, lower case
const ALPHABET_CODES = Uint8Array.from(ALPHABET, (character) => character.charCodeAt(0));
const LATIN1 = new TextDecoder("latin1");

/**
 * Each byte's low 5 bits as one base32 character, written over the bytes and read back as one flat
 * string: no string built a character at a time (a rope of one cell per character, flattened again by
 * whatever reads it: a header, JSON).
 */
function asBase32(bytes: Uint8Array): string {
  for (let i = 0; i < bytes.length; i++) bytes[i] = ALPHABET_CODES[bytes[i]! & 31]!;
  return LATIN1.decode(bytes);
}

/** Secrets (keys, tokens): fresh CSPRNG bytes for each, never from a shared pool. */
function randomBase32(length: number): string {
  return asBase32(crypto.getRandomValues(new Uint8Array(length)));
}

/**
 * Identifiers (request and event ids, the process's reservation id prefix, tool call ids) are cut from
 * a pool of 4,096 base32 characters made from CSPRNG bytes 4 KiB at a time: one getRandomValues call
 * and one string per 256 ids, each id a slice of it. Ids are unguessable names, not secrets, so
 * holding the characters a little longer costs nothing.
 */
const ID_POOL_BYTES = 4096;
let idPool = "";
let idPoolOffset = 0;

function randomIdBase32(length: number): string {
  if (idPoolOffset + length > idPool.length) {
    idPool = asBase32(crypto.getRandomValues(new Uint8Array(ID_POOL_BYTES)));
    idPoolOffset = 0;
  }
  const text = idPool.slice(idPoolOffset, idPoolOffset + length);
  idPoolOffset += length;
  return text;
}

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomIdBase32(16)}`;
}

/**
 * A tool call id for a vendor that gives none (Gemini): `call_` + 24 base32 characters (120 bits) from
 * the id pool, fresh for each call. Not derived from the request id: a client may send the same
 * x-request-id on every turn, and two turns' calls must never share an id.
 */
export function newToolCallId(): string {
  return `call_${randomIdBase32(24)}`;
}

/** Gateway keys: `gwk_` + 40 base32 characters (200 bits of entropy). */
export const GATEWAY_KEY_PREFIX = "gwk_";
const GATEWAY_KEY_PATTERN = /^gwk_[0-9a-hjkmnp-tv-z]{40}$/;

export function newGatewayKey(): string {
  return GATEWAY_KEY_PREFIX + randomBase32(40);
}

/** True when the string has the gateway key shape; says nothing about whether the key exists. */
export function isGatewayKeyFormat(value: string): boolean {
  return GATEWAY_KEY_PATTERN.test(value);
}

/** What a key is shown as after creation: enough to recognise it, never enough to use it. */
export function gatewayKeyDisplayPrefix(key: string): string {
  return key.slice(0, 12);
}

/**
 * SHA-256 hex of a secret. Gateway keys and admin/region tokens carry 200 bits of randomness, so an
 * unsalted fast hash is safe (the same choice Unkey makes) and lets a proxy find a key in O(1).
 */
export function hashSecret(secret: string): string {
  // Bun's one-shot SHA-256: a third of node:crypto's createHash per call (it runs on every request).
  return Bun.SHA256.hash(secret, "hex");
}

/** A random bearer token for admins and regions: `<prefix>_` + 40 base32 characters. */
export function newToken(prefix: "adm" | "reg"): string {
  return `${prefix}tok_${randomBase32(40)}`;
}
