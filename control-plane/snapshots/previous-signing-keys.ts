/**
 * SIGNING_KEY_PREVIOUS_JWKS: retired public keys the JWKS keeps listing beside the current signing key,
 * so a key rotation has an overlap window: whoever builds its pinned set from the served JWKS keeps
 * trusting snapshots still signed with the old key (a proxy's held copy, a control-plane replica not yet
 * restarted) while the new key takes over. Public keys only: a private member here would be published.
 *
 * @example SIGNING_KEY_PREVIOUS_JWKS='{"keys":[{"kty":"OKP","crv":"Ed25519","x":"…","kid":"cp-20260101-a1b2c3"}]}'
 */
import { importJWK, type JWK } from "jose";
import type { SigningKey } from "../../shared/snapshot/sign.ts";

const SETTING = "SIGNING_KEY_PREVIOUS_JWKS";
/** JWK members that hold private or symmetric key material (RFC 7518 §6). */
const PRIVATE_MEMBERS = ["d", "p", "q", "dp", "dq", "qi", "oth", "k"];

/** The setting's JSON as checked public keys (none when unset or empty); a bad value throws naming the setting. */
export function parsePreviousSigningKeys(text: string | undefined): JWK[] {
  if (!text) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`${SETTING} must be a JSON JWKS ({ "keys": [...] }): ${(error as Error).message}`);
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys;
  if (typeof parsed !== "object" || Array.isArray(parsed) || !Array.isArray(keys)) throw new Error(`${SETTING} must be a JSON JWKS ({ "keys": [...] })`);
  return checkPreviousSigningKeys(keys);
}

/**
 * Each key an Ed25519 public key with a kid, each kid once; returned as only its public members (with
 * alg and use as the current key is served). Throws naming the first bad key.
 */
export function checkPreviousSigningKeys(keys: unknown[]): JWK[] {
  const seen = new Set<string>();
  return keys.map((value, index) => {
    const key = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
    if (typeof key.kid !== "string" || key.kid === "") throw new Error(`${SETTING}: key ${index + 1} has no kid`);
    const kid = key.kid;
    const secret = PRIVATE_MEMBERS.filter((member) => member in key);
    if (secret.length > 0) throw new Error(`${SETTING}: key ${kid} holds a private member (${secret.join(", ")}); list public keys only`);
    if (key.kty !== "OKP" || key.crv !== "Ed25519" || typeof key.x !== "string") {
      throw new Error(`${SETTING}: key ${kid} is not an Ed25519 public key (kty OKP, crv Ed25519, x)`);
    }
    if (seen.has(kid)) throw new Error(`${SETTING}: kid ${kid} is listed twice`);
    seen.add(kid);
    return { kty: "OKP", crv: "Ed25519", x: key.x, kid, alg: "EdDSA", use: "sig" };
  });
}

/**
 * The JWKS the control plane serves: the current public key first, then the previous ones. A previous
 * key equal to the current one (a copy of the proxies' pinned file) is listed once; another key under
 * the current kid, or one that does not import as Ed25519, fails the start.
 */
export async function publishedJwks(current: SigningKey, previous: JWK[]): Promise<{ keys: JWK[] }> {
  const keys: JWK[] = [current.publicJwk];
  for (const key of checkPreviousSigningKeys(previous)) {
    if (key.kid === current.kid) {
      if (key.x === current.publicJwk.x) continue;
      throw new Error(`${SETTING}: key ${key.kid} has the current signing key's kid but another public key`);
    }
    try {
      await importJWK(key, "EdDSA");
    } catch (error) {
      throw new Error(`${SETTING}: key ${key.kid} is not a valid Ed25519 public key: ${(error as Error).message}`);
    }
    keys.push(key);
  }
  return { keys };
}
