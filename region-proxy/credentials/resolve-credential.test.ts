import { afterAll, expect, test } from "bun:test";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDirs } from "../../test/support/temp-dirs.ts";
import { createCredentialResolver } from "./resolve-credential.ts";

const dirs = tempDirs();
afterAll(dirs.removeAll);

test("env: refs come from the given environment, missing ones fail without the value", () => {
  const resolve = createCredentialResolver({ VENDOR_KEY: "sk-secret" });
  expect(resolve("env:VENDOR_KEY")).toEqual({ ok: true, credential: "sk-secret" });
  const missing = resolve("env:NOPE");
  expect(missing.ok).toBe(false);
  expect(resolve("plain-secret").ok).toBe(false);
});

test("file: refs are read once and cached", () => {
  const dir = dirs.make("cred-");
  const path = join(dir, "key");
  writeFileSync(path, "sk-from-file\n");
  const resolve = createCredentialResolver({}, { filesDir: dir });
  expect(resolve(`file:${path}`)).toEqual({ ok: true, credential: "sk-from-file" });
  writeFileSync(path, "sk-changed");
  expect(resolve(`file:${path}`)).toEqual({ ok: true, credential: "sk-from-file" });
  expect(resolve(`file:${join(dir, "absent")}`).ok).toBe(false);
});

test("file: refs resolve only inside filesDir (symlinks and .. included); no filesDir refuses them all", () => {
  const root = dirs.make("cred-root-");
  const dir = join(root, "creds");
  mkdirSync(dir);
  writeFileSync(join(dir, "vendor"), "sk-vendor");
  writeFileSync(join(root, "outside"), "proxy-secret");
  symlinkSync(join(root, "outside"), join(dir, "link-out"));
  const resolve = createCredentialResolver({}, { filesDir: dir });
  expect(resolve(`file:${join(dir, "vendor")}`)).toEqual({ ok: true, credential: "sk-vendor" });
  expect(resolve("file:vendor")).toEqual({ ok: true, credential: "sk-vendor" });
  for (const ref of [`file:${join(root, "outside")}`, `file:${dir}/../outside`, `file:${join(dir, "link-out")}`, "file:/etc/hostname", `file:${dir}`]) {
    const result = resolve(ref);
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain("proxy-secret");
  }
  const noDir = createCredentialResolver({});
  expect(noDir(`file:${join(dir, "vendor")}`)).toEqual({ ok: false, reason: expect.stringContaining("CREDENTIALS_DIR") });
});

test("env: refs see only own keys of the given map, never inherited properties", () => {
  const resolve = createCredentialResolver({ GW_CRED_A: "a" });
  expect(resolve("env:toString").ok).toBe(false);
  expect(resolve("env:REGION_TOKEN").ok).toBe(false);
});

test("a file inside filesDir whose name starts with .. is read (only a path leaving the directory is refused)", () => {
  const dir = dirs.make("cred-dots-");
  writeFileSync(join(dir, "..vendor"), "sk-dots\n");
  const resolve = createCredentialResolver({}, { filesDir: dir });
  expect(resolve("file:..vendor")).toEqual({ ok: true, credential: "sk-dots" });
});
