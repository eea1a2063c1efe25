/**
 * Test support for a KV that refuses writes (a full disk, a read-only mount): a real KV in a temp dir
 * whose `set` (the confirmation's) and atomic commits (the snapshot's) throw while `refusing` is on, as
 * SQLite does on a full disk, each counted in `refusedWrites`.
 *
 * @example const { kv, real, state } = await refusingKv(dirs); state.refusing = true; ...; real.close();
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openProxyKv, type Kv } from "../kv/open-kv.ts";

/** `dirs` gets the temp dir, for the test to remove. */
export async function refusingKv(dirs: string[]) {
  const dir = mkdtempSync(join(tmpdir(), "kv-refusing-"));
  dirs.push(dir);
  const real = await openProxyKv(dir);
  const state = { refusing: false, refusedWrites: 0 };
  const refuse = () => {
    state.refusedWrites++;
    return Promise.reject(new Error("database or disk is full"));
  };
  const kv = new Proxy(real, {
    get(target, prop) {
      const value = Reflect.get(target, prop);
      if (prop === "set") return (...args: unknown[]) => (state.refusing ? refuse() : (value as (...a: unknown[]) => unknown).apply(target, args));
      if (prop === "atomic") {
        return () => {
          const op = target.atomic();
          const commit = op.commit.bind(op);
          return Object.assign(op, { commit: () => (state.refusing ? refuse() : commit()) });
        };
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  }) as Kv;
  return { kv, real, state };
}
