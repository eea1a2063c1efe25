/**
 * The HS256 secret admin JWTs are signed with: from config, else `dataDir/admin-jwt.secret`, else a
 * fresh 256-bit secret written there with mode 0600. Only the control plane verifies these tokens,
 * so a symmetric key is enough; control planes sharing a database must share this secret.
 */
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { randomBytes } from "node:crypto";

export const TOKEN_SECRET_FILE = "admin-jwt.secret";
/** An issued admin JWT is HS256 over this secret: a short one could be guessed offline from any one token. */
const MIN_CONFIGURED_LENGTH = 32;

/** Refuses a configured ADMIN_JWT_SECRET under 32 characters (as AUDIT_HMAC_KEY); checked before the database is opened. */
export function checkTokenSecret(configured: string | null | undefined): void {
  if (configured && configured.length < MIN_CONFIGURED_LENGTH) {
    throw new Error(`ADMIN_JWT_SECRET must be at least ${MIN_CONFIGURED_LENGTH} characters (a long random string), got ${configured.length}`);
  }
}

export async function loadTokenSecret(dataDir: string, configured: string | null | undefined): Promise<Uint8Array> {
  checkTokenSecret(configured);
  return loadSecret(dataDir, TOKEN_SECRET_FILE, configured);
}

/**
 * A control-plane secret kept off the database: the configured value, else `dataDir/<file>`, else a
 * fresh 256-bit secret written there (base64url, mode 0600). Also the audit chain's key.
 */
export async function loadSecret(dataDir: string, file: string, configured: string | null | undefined): Promise<Uint8Array> {
  if (configured) return new TextEncoder().encode(configured);
  const path = join(dataDir, file);
  try {
    return Buffer.from((await readFile(path, "utf8")).trim(), "base64url");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
  }
  await mkdir(dataDir, { recursive: true });
  const secret = randomBytes(32);
  try {
    // "wx": two first starts must end up with one secret.
    await writeFile(path, secret.toString("base64url"), { mode: 0o600, flag: "wx" });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    return Buffer.from((await readFile(path, "utf8")).trim(), "base64url");
  }
  await chmod(path, 0o600);
  return secret;
}
