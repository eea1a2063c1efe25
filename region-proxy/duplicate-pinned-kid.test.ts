/**
 * A TRUSTED_JWKS listing two keys under one kid (an old and a new signing key during a rotation, the
 * operator keeping a fixed kid) was accepted at start, and importTrustedKeys kept only the last: every
 * snapshot signed with the other (the one the control plane still signs with, and the copy in DATA_DIR)
 * was refused as a bad signature. The start is refused now, naming the variable and the kid, as the
 * control plane refuses the same in SIGNING_KEY_PREVIOUS_JWKS; importTrustedKeys refuses it too.
 * (Review repro re #3.)
 */
import { afterAll, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { generateSigningKey } from "../shared/snapshot/sign.ts";
import { importTrustedKeys } from "../shared/snapshot/verify.ts";
import { tempDirs } from "../test/support/temp-dirs.ts";
import { loadConfig } from "./config.ts";

const dirs = tempDirs();
afterAll(dirs.removeAll);

const base = { REGION: "eu", CONTROL_PLANE_URL: "http://127.0.0.1:4000", REGION_TOKEN: "regtok_x", DATA_DIR: "/tmp/p" };
const problemOf = (env: Record<string, string>) => {
  try {
    loadConfig(env);
    return "(start accepted)";
  } catch (error) {
    return (error as Error).message;
  }
};

test("two pinned keys under one kid: the start is refused, naming the variable and the kid", async () => {
  const { key: oldKey } = await generateSigningKey("prod-snapshots");
  const { key: newKey } = await generateSigningKey("prod-snapshots");
  const jwks = JSON.stringify({ keys: [oldKey.publicJwk, newKey.publicJwk] });
  expect(problemOf({ ...base, TRUSTED_JWKS: jwks })).toContain("TRUSTED_JWKS: kid prod-snapshots is listed twice");
  const file = join(dirs.make("jwks-"), "jwks.json");
  writeFileSync(file, jwks);
  expect(problemOf({ ...base, TRUSTED_JWKS_FILE: file })).toContain("TRUSTED_JWKS_FILE: kid prod-snapshots is listed twice");
  await expect(importTrustedKeys({ keys: [oldKey.publicJwk, newKey.publicJwk] })).rejects.toThrow("trusted key id prod-snapshots is listed twice");
});

test("two kids are pinned both", async () => {
  const { key: a } = await generateSigningKey("snap-a");
  const { key: b } = await generateSigningKey("snap-b");
  expect(problemOf({ ...base, TRUSTED_JWKS: JSON.stringify({ keys: [a.publicJwk, b.publicJwk] }) })).toBe("(start accepted)");
  expect([...(await importTrustedKeys({ keys: [a.publicJwk, b.publicJwk] })).byKid.keys()]).toEqual(["snap-a", "snap-b"]);
});
