/**
 * The proxy's data dir holds its usage outbox (tenants, keys, costs of every request) and its last
 * snapshot: created private (0700) whatever the umask, as the control plane's embedded database is.
 */
import { afterAll, expect, test } from "bun:test";
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { lockOutboxDir } from "./data-dir-lock.ts";
import { openProxyKv } from "./open-kv.ts";

const root = mkdtempSync(join(tmpdir(), "private-data-dir-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

test("a data dir the proxy creates is 0700 under a 0022 umask, through either door", async () => {
  const previous = process.umask(0o022);
  try {
    const kvDir = join(root, "kv", "nested");
    const kv = await openProxyKv(kvDir);
    kv.close();
    expect(statSync(kvDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(root, "kv")).mode & 0o777).toBe(0o700);
    const lockDir = join(root, "lock");
    const lock = lockOutboxDir(lockDir);
    lock.release();
    expect(statSync(lockDir).mode & 0o777).toBe(0o700);
  } finally {
    process.umask(previous);
  }
});
