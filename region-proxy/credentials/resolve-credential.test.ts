import { afterAll, expect, test } from "bun:test";
import { mkdirSync, renameSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDirs } from "../../test/support/temp-dirs.ts";
import { createCredentialResolver, FILE_CREDENTIAL_RECHECK_MS } from "./resolve-credential.ts";

const dirs = tempDirs();
afterAll(dirs.removeAll);

test("env: refs come from the given environment, missing ones fail without the value", () => {
  const resolve = createCredentialResolver({ VENDOR_KEY: "sk-secret" });
  expect(resolve("env:VENDOR_KEY")).toEqual({ ok: true, credential: "sk-secret" });
  const missing = resolve("env:NOPE");
  expect(missing.ok).toBe(false);
  expect(resolve("plain-secret").ok).toBe(false);
});

test("env: values are trimmed as file: values are (a Secret made from a file ends in a newline); a blank one is missing", () => {
  const resolve = createCredentialResolver({ NEWLINE: "sk-secret\n", SPACES: "  sk-secret \t", BLANK: " \n", EMPTY: "" });
  expect(resolve("env:NEWLINE")).toEqual({ ok: true, credential: "sk-secret" });
  expect(resolve("env:SPACES")).toEqual({ ok: true, credential: "sk-secret" });
  expect(resolve("env:BLANK")).toEqual({ ok: false, reason: "credential env:BLANK is not set" });
  expect(resolve("env:EMPTY")).toEqual({ ok: false, reason: "credential env:EMPTY is not set" });
});

/** A clock the test moves by hand. */
function manualClock(): { now: () => number; advance(ms: number): void } {
  let at = 1_000;
  return { now: () => at, advance: (ms) => void (at += ms) };
}

test("file: refs are cached for FILE_CREDENTIAL_RECHECK_MS, then read again: a replaced file is picked up without a restart", () => {
  const dir = dirs.make("cred-");
  const path = join(dir, "key");
  writeFileSync(path, "sk-from-file\n");
  const clock = manualClock();
  const resolve = createCredentialResolver({}, { filesDir: dir, now: clock.now });
  expect(resolve(`file:${path}`)).toEqual({ ok: true, credential: "sk-from-file" });
  writeFileSync(path, "sk-changed");
  clock.advance(FILE_CREDENTIAL_RECHECK_MS - 1);
  expect(resolve(`file:${path}`)).toEqual({ ok: true, credential: "sk-from-file" });
  clock.advance(1);
  expect(resolve(`file:${path}`)).toEqual({ ok: true, credential: "sk-changed" });
  expect(resolve(`file:${join(dir, "absent")}`).ok).toBe(false);
});

test("a Kubernetes Secret updated in place (the ..data symlink swapped to a new timestamped directory) is picked up", () => {
  const dir = dirs.make("cred-k8s-");
  // The layout the kubelet writes: <dir>/openai -> ..data/openai, ..data -> ..<timestamp>/.
  mkdirSync(join(dir, "..2024_01_01_00_00_00.1"));
  writeFileSync(join(dir, "..2024_01_01_00_00_00.1", "openai"), "sk-old");
  symlinkSync("..2024_01_01_00_00_00.1", join(dir, "..data"));
  symlinkSync(join("..data", "openai"), join(dir, "openai"));
  const clock = manualClock();
  const resolve = createCredentialResolver({}, { filesDir: dir, now: clock.now });
  expect(resolve("file:openai")).toEqual({ ok: true, credential: "sk-old" });

  // The update: a new timestamped directory, a new link renamed over ..data (atomic), the old one removed.
  mkdirSync(join(dir, "..2024_02_02_00_00_00.2"));
  writeFileSync(join(dir, "..2024_02_02_00_00_00.2", "openai"), "sk-new\n");
  symlinkSync("..2024_02_02_00_00_00.2", join(dir, "..data_tmp"));
  renameSync(join(dir, "..data_tmp"), join(dir, "..data"));
  rmSync(join(dir, "..2024_01_01_00_00_00.1"), { recursive: true });
  expect(resolve("file:openai")).toEqual({ ok: true, credential: "sk-old" });
  clock.advance(FILE_CREDENTIAL_RECHECK_MS);
  expect(resolve("file:openai")).toEqual({ ok: true, credential: "sk-new" });
});

test("a credential the vendor refused is read again at its next use, without waiting for the bound", () => {
  const dir = dirs.make("cred-refused-");
  writeFileSync(join(dir, "openai"), "sk-revoked");
  const clock = manualClock();
  const resolve = createCredentialResolver({ GW_CRED_A: "a" }, { filesDir: dir, now: clock.now });
  expect(resolve("file:openai")).toEqual({ ok: true, credential: "sk-revoked" });
  writeFileSync(join(dir, "openai"), "sk-rotated");
  resolve.refused?.("file:openai");
  expect(resolve("file:openai")).toEqual({ ok: true, credential: "sk-rotated" });
  // Read again, it is trusted for the bound once more.
  writeFileSync(join(dir, "openai"), "sk-third");
  expect(resolve("file:openai")).toEqual({ ok: true, credential: "sk-rotated" });
  // An env: ref cannot change while the process runs: being told it was refused changes nothing.
  resolve.refused?.("env:GW_CRED_A");
  expect(resolve("env:GW_CRED_A")).toEqual({ ok: true, credential: "a" });
});

test("a file removed or emptied after it was read is then a missing credential, as one never there (the old value is not kept)", () => {
  const dir = dirs.make("cred-gone-");
  writeFileSync(join(dir, "gone"), "sk-gone-secret");
  writeFileSync(join(dir, "emptied"), "sk-emptied-secret");
  const clock = manualClock();
  const resolve = createCredentialResolver({}, { filesDir: dir, now: clock.now });
  expect(resolve("file:gone").ok).toBe(true);
  expect(resolve("file:emptied").ok).toBe(true);
  rmSync(join(dir, "gone"));
  writeFileSync(join(dir, "emptied"), "\n");
  clock.advance(FILE_CREDENTIAL_RECHECK_MS);
  const gone = resolve("file:gone");
  const emptied = resolve("file:emptied");
  expect(gone).toEqual({ ok: false, reason: "credential file:gone cannot be read" });
  expect(resolve("file:never-there")).toEqual({ ok: false, reason: "credential file:never-there cannot be read" });
  expect(emptied).toEqual({ ok: false, reason: "credential file:emptied is empty" });
  expect(JSON.stringify([gone, emptied])).not.toContain("secret");
  // A missing credential is not cached: the file put back is read at the next use.
  writeFileSync(join(dir, "gone"), "sk-back");
  expect(resolve("file:gone")).toEqual({ ok: true, credential: "sk-back" });
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
