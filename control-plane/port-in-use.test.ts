/** A port another server holds fails the control plane's start instead of sharing it (Bun's default SO_REUSEPORT). */
import { afterAll, expect, test } from "bun:test";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createTestDatabase } from "../test/support/postgres.ts";
import { startControlPlane } from "./main.ts";

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

test("a port in use fails the start with a clear error; the server holding it keeps every request", async () => {
  const holder = Bun.serve({ port: 0, hostname: "127.0.0.1", development: false, fetch: () => new Response("someone else") });
  const db = await createTestDatabase();
  const dataDir = await mkdtemp(join(tmpdir(), "cp-port-"));
  dirs.push(dataDir);
  try {
    const start = startControlPlane({ port: holder.port as number, databaseUrl: db.url, dataDir, adminToken: "admtok_port_test_0123456789", log: () => {} });
    await expect(start).rejects.toThrow(`control plane cannot listen on 127.0.0.1:${holder.port}`);
    for (let i = 0; i < 5; i++) expect(await (await fetch(`http://127.0.0.1:${holder.port}/graphql`)).text()).toBe("someone else");
  } finally {
    holder.stop(true);
    await db.drop();
  }
});
