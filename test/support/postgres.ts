/**
 * A fresh PostgreSQL database per test file, on the machine's server, dropped afterwards.
 * Fails with a how-to (never skips) when PostgreSQL is not reachable.
 */
import postgres from "postgres";
import { randomBytes } from "node:crypto";

const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `gw_t_${randomBytes(6).toString("hex")}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
  try {
    await admin.unsafe(`create database ${name}`);
  } catch (error) {
    await admin.end({ timeout: 1 });
    throw new Error(
      `Tests need PostgreSQL at ${ADMIN_URL} (set TEST_DATABASE_ADMIN_URL to point elsewhere): ${(error as Error).message}`,
    );
  }
  await admin.end({ timeout: 1 });
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const dropper = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
      try {
        await dropper.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await dropper.end({ timeout: 1 });
      }
    },
  };
}
