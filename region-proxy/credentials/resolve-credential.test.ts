import { expect, test } from "bun:test";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCredentialResolver } from "./resolve-credential.ts";

test("env: refs come from the given environment, missing ones fail without the value", () => {
  const resolve = createCredentialResolver({ VENDOR_KEY: "sk-secret" });
  expect(resolve("env:VENDOR_KEY")).toEqual({ ok: true, credential: "sk-secret" });
  const missing = resolve("env:NOPE");
  expect(missing.ok).toBe(false);
  expect(resolve("plain-secret").ok).toBe(false);
});

test("file: refs are read once and cached", () => {
  const dir = mkdtempSync(join(tmpdir(), "cred-"));
  const path = join(dir, "key");
  writeFileSync(path, "sk-from-file\n");
  const resolve = createCredentialResolver({});
  expect(resolve(`file:${path}`)).toEqual({ ok: true, credential: "sk-from-file" });
  writeFileSync(path, "sk-changed");
  expect(resolve(`file:${path}`)).toEqual({ ok: true, credential: "sk-from-file" });
  expect(resolve(`file:${join(dir, "absent")}`).ok).toBe(false);
});
