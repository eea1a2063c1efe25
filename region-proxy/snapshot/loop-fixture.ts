/**
 * Test support for the snapshot loop: a signing key the proxy pins, a KV in a temp dir, a proxy
 * holding version 1, and a loop pointed at a test server (long pollMs: tests call pollOnce).
 *
 * @example const f = await loopFixture(dirs.make("slow-")); const loop = f.start(server); await loop.pollOnce();
 */
import { generateSigningKey, signSnapshot, type SigningKey } from "../../shared/snapshot/sign.ts";
import { importTrustedKeys } from "../../shared/snapshot/verify.ts";
import { openProxyKv } from "../kv/open-kv.ts";
import { applySnapshot } from "./apply-snapshot.ts";
import { CurrentSnapshot } from "./current.ts";
import { startSnapshotLoop, type SnapshotLoop, type SnapshotLoopDeps } from "./loop.ts";

const snapshot = (version: number, region: string) => ({ schema: 1 as const, region, version, issuedAt: new Date().toISOString(), keys: {}, tenants: {}, aliases: {}, deployments: {}, pricing: {} });

export async function loopFixture(dir: string) {
  const { key } = await generateSigningKey("k1");
  const trusted = await importTrustedKeys({ keys: [key.publicJwk] });
  const kv = await openProxyKv(dir);
  const logs: string[] = [];
  const current = new CurrentSnapshot();
  const deps = { region: "eu", trusted, current, kv, log: (line: string) => logs.push(line) };
  const sign = (version: number, opts: { key?: SigningKey; region?: string } = {}) => signSnapshot(snapshot(version, opts.region ?? "eu"), opts.key ?? key);
  await applySnapshot(await sign(1), deps, { persist: true });
  const loops: SnapshotLoop[] = [];
  return {
    current,
    logs,
    sign,
    start(server: { port?: number }, extra: Partial<SnapshotLoopDeps> = {}): SnapshotLoop {
      const loop = startSnapshotLoop({ ...deps, controlPlaneUrl: `http://127.0.0.1:${server.port}`, regionToken: "regtok_x", proxyId: "prx_test", pollMs: 60_000, ...extra });
      loops.push(loop);
      return loop;
    },
    async close() {
      for (const loop of loops) await loop.stop();
      kv.close();
    },
  };
}

/** A body sent in `parts` pieces, the first at once (Bun sends the headers with it), then one every `everyMs`: a slow link. */
export function dribble(bytes: Uint8Array, parts: number, everyMs: number): ReadableStream<Uint8Array> {
  const size = Math.ceil(bytes.length / parts);
  let offset = 0;
  return new ReadableStream({
    async pull(controller) {
      if (offset >= bytes.length) return controller.close();
      if (offset > 0) await Bun.sleep(everyMs);
      controller.enqueue(bytes.subarray(offset, (offset += size)));
    },
  });
}
