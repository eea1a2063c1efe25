/**
 * Test support for a KV that refuses writes (a full disk, a read-only mount): a real KV in a temp dir
 * whose `set` (the confirmation's) and atomic commits (the snapshot's) throw while `refusing` is on, as
 * SQLite does on a full disk, each counted in `refusedWrites`; a proxy holding version 1, saved in it;
 * a 304 poll as the loop answers it; and the poll loop against a fake control plane. Time is Date's clock
 * (setSystemTime): tests reset it afterEach.
 *
 * @example const dirs = tempDirs(); afterAll(dirs.removeAll); const { real, state, start, deps, lines, sign } = await refusingVersion1(dirs);
 */
import { setSystemTime } from "bun:test";
import type { tempDirs } from "../../test/support/temp-dirs.ts";
import { generateSigningKey, signSnapshot } from "../../shared/snapshot/sign.ts";
import { importTrustedKeys } from "../../shared/snapshot/verify.ts";
import { openProxyKv, type Kv } from "../kv/open-kv.ts";
import { applySnapshot, saveHeldSnapshot } from "./apply-snapshot.ts";
import { CurrentSnapshot } from "./current.ts";
import { startSnapshotLoop } from "./loop.ts";

/** The KV's directory is made in `dirs` (test/support/temp-dirs.ts), which the test file removes. */
export async function refusingKv(dirs: ReturnType<typeof tempDirs>) {
  const real = await openProxyKv(dirs.make("kv-refusing-"));
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

const snapshot = (version: number, issuedAt: Date) => ({ schema: 1 as const, region: "eu", version, issuedAt: issuedAt.toISOString(), keys: {}, tenants: {}, aliases: {}, deployments: {}, pricing: {} });

/**
 * A proxy holding version 1, saved in `kv`, with the clock set to `start`; `lines` is its log (emptied
 * after the load), `sign(v)` signs version v (issued now) with the key it pins.
 */
export async function heldVersion1(kv: Kv, start: number) {
  const { key } = await generateSigningKey("k1");
  const trusted = await importTrustedKeys({ keys: [key.publicJwk] });
  const lines: string[] = [];
  const deps = { region: "eu", trusted, current: new CurrentSnapshot(), kv, log: (line: string) => lines.push(line) };
  const sign = (version: number) => signSnapshot(snapshot(version, new Date()), key);
  setSystemTime(new Date(start));
  const outcome = await applySnapshot(await sign(1), deps, { persist: true });
  if (outcome !== "swapped") throw new Error(`version 1 was not swapped in: ${outcome}`);
  lines.length = 0;
  return { deps, lines, sign };
}

/** refusingKv (not refusing yet) and heldVersion1 on it, from `start` (now); the caller closes `real`. */
export async function refusingVersion1(dirs: ReturnType<typeof tempDirs>) {
  const { kv, real, state } = await refusingKv(dirs);
  const start = Date.now();
  return { kv, real, state, start, ...(await heldVersion1(kv, start)) };
}

/**
 * The poll loop of the proxy `deps` against a fake control plane answering its poll n (the first is 1)
 * with `answer(n)`. `pollEachSecond(from, to, each?)` polls once at each second `from`..`to` after
 * `start`, calling `each` after every poll; `close()` stops the loop and the server, not the caller's KV.
 */
export function loopAgainst(deps: Awaited<ReturnType<typeof heldVersion1>>["deps"], start: number, answer: (poll: number) => Response) {
  let polls = 0;
  const server = Bun.serve({ port: 0, fetch: () => answer(++polls) });
  const loop = startSnapshotLoop({ ...deps, controlPlaneUrl: `http://127.0.0.1:${server.port}`, regionToken: "regtok_x", proxyId: "prx_test", pollMs: 60_000 });
  const pollEachSecond = async (from: number, to: number, each?: () => void) => {
    for (let i = from; i <= to; i++) {
      setSystemTime(new Date(start + i * 1000));
      await loop.pollOnce();
      each?.();
    }
  };
  const close = async () => {
    await loop.stop();
    server.stop(true);
  };
  return { loop, server, polls: () => polls, pollEachSecond, close };
}

/** One 304 poll at `at`, as the loop answers it: confirm, then save what is held. */
export async function poll304(deps: Awaited<ReturnType<typeof heldVersion1>>["deps"], at: number) {
  setSystemTime(new Date(at));
  deps.current.confirm();
  await saveHeldSnapshot(deps);
}
