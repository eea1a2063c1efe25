/**
 * Prefixed identifiers and the gateway key format, so logs read themselves.
 *
 * @example newId("ten") // "ten_5f3k9x2m7q1c8v4b"
 */
import { createHash } from "node:crypto";

export type IdPrefix = "ten" | "key" | "dep" | "als" | "reg" | "evt" | "req" | "chg" | "adm" | "prx" | "prn" | "jti";

const ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"; // Crockford base32, lower case

function randomBase32(length: number): string {
  // Web Crypto's CSPRNG: as secure as node:crypto's randomBytes and ~20x cheaper per call (no Buffer);
  // it runs twice per proxied request (request and event ids).
  const bytes = crypto.getRandomValues(new Uint8Array(length));
  let out = "";
  for (let i = 0; i < length; i++) out += ALPHABET[bytes[i]! & 31];
  return out;
}

export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomBase32(16)}`;
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
  return createHash("sha256").update(secret).digest("hex");
}

/** A random bearer token for admins and regions: `<prefix>_` + 40 base32 characters. */
export function newToken(prefix: "adm" | "reg"): string {
  return `${prefix}tok_${randomBase32(40)}`;
}
