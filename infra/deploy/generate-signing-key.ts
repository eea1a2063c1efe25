/**
 * A new snapshot signing key: the private JWK (with its kid) for the control plane's SIGNING_KEY_JWK,
 * and its public half added to the JWKS file the proxies pin (TRUSTED_JWKS_FILE).
 *
 *   npx bun infra/deploy/generate-signing-key.ts infra/deploy/trusted-jwks.json >> infra/deploy/.env
 *
 * Prints one `.env` line, `SIGNING_KEY_JWK='{...}'`: a secret, for your secret store. The JWKS file is
 * created, or, when it exists, keeps the keys already in it (a rotation pins the old and new key side
 * by side; remove the old one by hand once every proxy serves a snapshot signed with the new one).
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import type { JWK } from "jose";
import { generateSigningKey } from "../../shared/snapshot/sign.ts";
import { newKid } from "../../control-plane/snapshots/signing-key.ts";

export interface NewSigningKey {
  kid: string;
  /** `SIGNING_KEY_JWK='<private JWK JSON>'`, for a `.env` file or a shell. */
  envLine: string;
  /** The pinned keys given, plus the new public key. */
  jwks: { keys: JWK[] };
}

export async function newSigningKey(pinned: { keys: JWK[] } = { keys: [] }, now = new Date()): Promise<NewSigningKey> {
  const kid = newKid(now);
  if (pinned.keys.some((key) => key.kid === kid)) throw new Error(`the JWKS already holds a key ${kid}`);
  const { key, privateJwk } = await generateSigningKey(kid);
  return { kid, envLine: `SIGNING_KEY_JWK='${JSON.stringify(privateJwk)}'`, jwks: { keys: [...pinned.keys, key.publicJwk] } };
}

/** The JWKS already in `path`, or none; a file that is not a JWKS of public keys is an error, not overwritten. */
export function readPinnedKeys(path: string): { keys: JWK[] } {
  if (!existsSync(path)) return { keys: [] };
  const parsed = JSON.parse(readFileSync(path, "utf8")) as { keys?: unknown };
  if (!Array.isArray(parsed.keys)) throw new Error(`${path} is not a JWKS ({ "keys": [...] })`);
  const keys = parsed.keys as JWK[];
  if (keys.some((key) => "d" in key)) throw new Error(`${path} holds a private key; a JWKS to pin has public keys only`);
  return { keys };
}

if (import.meta.main) {
  const path = process.argv[2];
  if (!path) {
    console.error("usage: npx bun infra/deploy/generate-signing-key.ts <trusted-jwks.json> >> .env");
    process.exit(2);
  }
  const { kid, envLine, jwks } = await newSigningKey(readPinnedKeys(path));
  writeFileSync(path, `${JSON.stringify(jwks, null, 2)}\n`);
  console.log(envLine);
  console.error(`signing key ${kid}: public key added to ${path} (${jwks.keys.length} pinned)`);
}
