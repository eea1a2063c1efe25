/**
 * A control plane on a fresh PostgreSQL database and temp data dir, for this folder's tests.
 * Logs are collected, not printed, so tests stay quiet and can assert on them.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { adminClient, type AdminClient } from "../../infra/local/admin-client.ts";
import { createTestDatabase, type TestDatabase } from "../../test/support/postgres.ts";
import { startControlPlane, type ControlPlaneConfig, type RunningControlPlane } from "../main.ts";

export interface TestControlPlane {
  cp: RunningControlPlane;
  admin: AdminClient;
  adminToken: string;
  db: TestDatabase;
  dataDir: string;
  logs: string[];
  close(): Promise<void>;
}

/** `overrides` set extra config (approvals required, tick interval, a query hook). */
export async function startTestControlPlane(overrides: Partial<ControlPlaneConfig> = {}): Promise<TestControlPlane> {
  const db = await createTestDatabase();
  const dataDir = await mkdtemp(join(tmpdir(), "cp-test-"));
  const logs: string[] = [];
  const adminToken = `admtok_test_${crypto.randomUUID().replaceAll("-", "")}`;
  const cp = await startControlPlane({ port: 0, databaseUrl: db.url, dataDir, adminToken, log: (l) => logs.push(l), ...overrides });
  return {
    cp,
    admin: adminClient(cp.url, adminToken),
    adminToken,
    db,
    dataDir,
    logs,
    async close() {
      await cp.stop();
      await db.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** POSTs raw GraphQL and returns status and parsed body, for asserting on errors. */
export async function rawGraphQL(url: string, token: string | null, body: string): Promise<{ status: number; json: any }> {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(new URL("/graphql", url), { method: "POST", headers, body });
  return { status: response.status, json: await response.json() };
}
