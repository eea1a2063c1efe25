/**
 * ADMIN_JWT_SECRET signs admin JWTs (HS256): a short one lets whoever holds one issued token guess the
 * secret offline and mint an admin token. Like AUDIT_HMAC_KEY, a configured one must be at least 32
 * characters, refused at start naming the variable.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startTestControlPlane } from "../testing/test-control-plane.ts";
import { loadTokenSecret } from "./token-secret.ts";

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

test("a configured secret under 32 characters is refused naming ADMIN_JWT_SECRET; 32 characters are taken as they are", async () => {
  const dir = await mkdtemp(join(tmpdir(), "token-secret-"));
  dirs.push(dir);
  await expect(loadTokenSecret(dir, "j".repeat(31))).rejects.toThrow("ADMIN_JWT_SECRET must be at least 32 characters (a long random string), got 31");
  expect(new TextDecoder().decode(await loadTokenSecret(dir, "j".repeat(32)))).toBe("j".repeat(32));
});

test("a start with a short ADMIN_JWT_SECRET is refused, naming it", async () => {
  let error: unknown = null;
  try {
    const t = await startTestControlPlane({ tokenSecret: "secret" });
    await t.close();
  } catch (e) {
    error = e;
  }
  expect(String(error)).toContain("ADMIN_JWT_SECRET: must be at least 32 characters");
}, 30_000);
