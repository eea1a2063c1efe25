/**
 * Signs a snapshot as a compact JWS (EdDSA / Ed25519) with a key id, so proxies can rotate trust.
 */
import { CompactSign, exportJWK, generateKeyPair, importJWK, type JWK } from "jose";
import type { Snapshot } from "./schema.ts";

export const SNAPSHOT_JWS_TYPE = "gw-snapshot+jws";

export interface SigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export async function signSnapshot(snapshot: Snapshot, key: SigningKey): Promise<string> {
  const payload = new TextEncoder().encode(JSON.stringify(snapshot));
  return new CompactSign(payload)
    .setProtectedHeader({ alg: "EdDSA", kid: key.kid, typ: SNAPSHOT_JWS_TYPE })
    .sign(key.privateKey);
}

/** A fresh Ed25519 key pair, with both halves exported as JWK for storage. */
export async function generateSigningKey(kid: string): Promise<{ key: SigningKey; privateJwk: JWK }> {
  const { privateKey, publicKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: "EdDSA" };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: "EdDSA", use: "sig" };
  return { key: { kid, privateKey: privateKey as CryptoKey, publicJwk }, privateJwk };
}

export async function signingKeyFromJwk(privateJwk: JWK): Promise<SigningKey> {
  if (!privateJwk.kid) throw new Error("signing key JWK has no kid");
  const privateKey = (await importJWK(privateJwk, "EdDSA")) as CryptoKey;
  const { d: _secret, key_ops: _ops, ...publicPart } = privateJwk;
  return { kid: privateJwk.kid, privateKey, publicJwk: { ...publicPart, use: "sig" } };
}
