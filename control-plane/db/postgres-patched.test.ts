/**
 * The control plane refuses to start on a postgres.js without infra/patches/postgres-closed-connection.mjs
 * (installed with `npm ci --ignore-scripts`, or an image built without npm's postinstall), where a
 * connection closed mid-transaction would crash the process: the check reads the connection.js Bun loads.
 */
import { afterAll, expect, test } from "bun:test";
import { copyFileSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { EDITS } from "../../infra/patches/postgres-closed-connection.mjs";
import { tempDirs } from "../../test/support/temp-dirs.ts";
import { assertPostgresPatched, loadedConnectionJs } from "./postgres-patched.ts";

const dirs = tempDirs();
afterAll(dirs.removeAll);

test("the installed driver passes: the connection.js Bun loads is the package's src copy, patched", () => {
  expect(loadedConnectionJs()).toEndWith(join("postgres", "src", "connection.js"));
  expect(() => assertPostgresPatched()).not.toThrow();
});

test("a connection.js without the patch refuses the start in one line saying how to fix it", () => {
  const unpatched = join(dirs.make("pg-unpatched-"), "connection.js");
  let text = readFileSync(loadedConnectionJs(), "utf8");
  for (const edit of EDITS) text = text.replace(edit.to, edit.from);
  writeFileSync(unpatched, text);
  expect(() => assertPostgresPatched(unpatched)).toThrow(
    `postgres.js is not patched (${unpatched}): run npm install (its postinstall applies infra/patches/postgres-closed-connection.mjs)`,
  );
});

test("a copy missing one edit of the patch refuses too", () => {
  const partial = join(dirs.make("pg-partial-"), "connection.js");
  copyFileSync(loadedConnectionJs(), partial);
  writeFileSync(partial, readFileSync(partial, "utf8").replace(EDITS[0]!.to, EDITS[0]!.from));
  expect(() => assertPostgresPatched(partial)).toThrow("postgres.js is not patched");
});
