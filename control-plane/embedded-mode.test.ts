import { afterAll, expect, test } from "bun:test";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { adminClient } from "../infra/local/admin-client.ts";
import { startControlPlane } from "./main.ts";

const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

test("with no databaseUrl it runs on PGlite, and a restart keeps data and the admin token", async () => {
  const dataDir = await mkdtemp(join(tmpdir(), "cp-embedded-"));
  dirs.push(dataDir);
  const firstLogs: string[] = [];
  const first = await startControlPlane({ port: 0, dataDir, log: (l) => firstLogs.push(l) });
  let token: string;
  let jwks: unknown;
  try {
    expect(first.generatedAdminToken).toMatch(/^admtok_/);
    token = first.generatedAdminToken!;
    jwks = first.jwks;
    // Handed over in a file only the control plane's user can read, never in the log.
    expect(firstLogs.some((l) => l.includes(token))).toBe(false);
    const tokenFile = join(dataDir, "bootstrap-admin.token");
    expect(firstLogs).toContain(`control plane generated the bootstrap admin token: written to ${tokenFile} (mode 0600); read it once, then delete the file`);
    expect((await readFile(tokenFile, "utf8")).trim()).toBe(token);
    expect((await stat(tokenFile)).mode & 0o777).toBe(0o600);
    expect(firstLogs).toContain(`control plane listening on ${first.url}`);
    const admin = adminClient(first.url, token);
    await admin.request(`mutation { createTenant(input: { name: "embedded" }) { id } }`);
    expect((await stat(join(dataDir, "signing-key.jwk"))).mode & 0o777).toBe(0o600);
  } finally {
    await first.stop();
  }

  const secondLogs: string[] = [];
  const second = await startControlPlane({ port: 0, dataDir, log: (l) => secondLogs.push(l) });
  try {
    expect(second.generatedAdminToken).toBeNull();
    expect(secondLogs.some((l) => l.includes("admin token"))).toBe(false);
    expect(secondLogs.some((l) => l.includes("applied migrations"))).toBe(false);
    expect(second.jwks).toEqual(jwks as typeof second.jwks);
    const { tenants } = await adminClient(second.url, token).request<{ tenants: { items: { name: string }[] } }>(`{ tenants { items { name } } }`);
    expect(tenants.items).toEqual([{ name: "embedded" }]);
  } finally {
    await second.stop();
  }
}, 30_000); // PGlite boots its WASM Postgres twice here
