/** busyError: the PostgreSQL errors that rolled an admin transaction back whole answer BUSY (retry); others are not its. */
import { expect, test } from "bun:test";
import { busyError, DEFAULT_CONFIG_LOCK_BOUNDS } from "./config-lock.ts";

const pg = (code: string) => Object.assign(new Error("x"), { name: "PostgresError", code });

test("lock timeout, statement timeout, deadlock and serialization failure are BUSY", () => {
  for (const code of ["55P03", "57014", "40P01", "40001"]) {
    const e = busyError(pg(code), DEFAULT_CONFIG_LOCK_BOUNDS);
    expect([code, e?.extensions.code]).toEqual([code, "BUSY"]);
    expect(e!.message).toContain("nothing was changed, retry");
  }
  expect(busyError(pg("40P01"), DEFAULT_CONFIG_LOCK_BOUNDS)!.message).toContain("each waited for what the other held");
});

test("any other error is not", () => {
  expect(busyError(pg("23505"), DEFAULT_CONFIG_LOCK_BOUNDS)).toBeNull();
  expect(busyError(Object.assign(new Error("x"), { code: "40P01" }), DEFAULT_CONFIG_LOCK_BOUNDS)).toBeNull();
  expect(busyError(null, DEFAULT_CONFIG_LOCK_BOUNDS)).toBeNull();
});
