/**
 * The snapshot signing key: from config, else `dataDir/signing-key.jwk`, else a fresh Ed25519 key
 * written there with mode 0600.
 */
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { randomBytes } from "node:crypto";
import type { JWK } from "jose";
import { generateSigningKey, signingKeyFromJwk, type SigningKey } from "../../shared/snapshot/sign.ts";

export const SIGNING_KEY_FILE = "signing-key.jwk";

/** A key id that says who signed and when: `cp-20261125-a1b2c3`. */
export function newKid(now = new Date()): string {
  return `cp-${now.toISOString().slice(0, 10).replaceAll("-", "")}-${randomBytes(3).toString("hex")}`;
}

export async function loadSigningKey(dataDir: string, configuredJwk: string | null | undefined): Promise<SigningKey> {
  if (configuredJwk) return signingKeyFromJwk(JSON.parse(configuredJwk) as JWK);
  const path = join(dataDir, SIGNING_KEY_FILE);
  let text: string | null = null;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  if (text !== null) return signingKeyFromJwk(JSON.parse(text) as JWK);
  await mkdir(dataDir, { recursive: true });
  const { key, privateJwk } = await generateSigningKey(newKid());
  try {
    // flag "wx": never overwrite a key another instance just wrote; use theirs instead.
    await writeFile(path, JSON.stringify(privateJwk), { mode: 0o600, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return signingKeyFromJwk(JSON.parse(await readFile(path, "utf8")) as JWK);
  }
  await chmod(path, 0o600);
  return key;
}
