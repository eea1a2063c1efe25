/**
 * SIGNING_KEY_JWK checked before the control plane touches its database: the JSON and its members
 * (sync, in configFromEnv), then that WebCrypto imports it and that its private half signs what its
 * public half verifies (a public-only JWK, or `d` and `x` from two different keys, would sign snapshots
 * no proxy accepts). Messages do not name the variable; the caller does.
 */
import { CompactSign, compactVerify, importJWK, type JWK } from "jose";
import { signingKeyFromJwk, type SigningKey } from "../shared/snapshot/sign.ts";

/** The JWK's shape: an Ed25519 private key (kty OKP, crv Ed25519, x and d) with a kid. */
export function parseSigningKeyJwk(text: string): JWK {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new Error(`must be an Ed25519 private JWK as JSON: ${(error as Error).message}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) throw new Error("must be an Ed25519 private JWK as JSON (an object)");
  const jwk = parsed as Record<string, unknown>;
  if (jwk.kty !== "OKP" || jwk.crv !== "Ed25519" || typeof jwk.x !== "string") throw new Error("must be an Ed25519 key (kty OKP, crv Ed25519, x)");
  if (typeof jwk.d !== "string") throw new Error("must be a private key (it has no d): the public key alone cannot sign snapshots");
  if (typeof jwk.kid !== "string" || jwk.kid === "") throw new Error("must have a kid (proxies pick the key to verify a snapshot by it)");
  return jwk as JWK;
}

/** The key as snapshots will be signed with it, once a probe it signed verified under its public half. */
export async function checkedSigningKey(jwk: JWK): Promise<SigningKey> {
  let key: SigningKey;
  try {
    key = await signingKeyFromJwk(jwk);
  } catch (error) {
    throw new Error(`is not a usable Ed25519 private key: ${(error as Error).message}`);
  }
  const probe = await new CompactSign(new TextEncoder().encode("signing-key-check")).setProtectedHeader({ alg: "EdDSA" }).sign(key.privateKey);
  try {
    await compactVerify(probe, await importJWK({ ...key.publicJwk, alg: "EdDSA" }, "EdDSA"));
  } catch {
    throw new Error("its private part (d) does not belong to its public part (x)");
  }
  return key;
}
