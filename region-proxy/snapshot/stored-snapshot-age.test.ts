/**
 * The snapshot age (/health `snapshotAgeSeconds`, /metrics `gateway_snapshot_age_seconds`) is how long
 * the control plane has not confirmed the snapshot a region serves: operators alert on it to learn that
 * a region runs on configuration the control plane has not confirmed (kill switches, revoked keys it
 * has not seen). A proxy restarted during a control-plane outage (a rollout, a crash loop) serves its
 * stored snapshot, and the age must keep counting from the last confirmation, not restart at 0.
 *
 * Time passing is Date's clock moved forward (setSystemTime), not waited for.
 */
import { afterAll, afterEach, expect, setSystemTime, test } from "bun:test";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateSigningKey, signSnapshot } from "../../shared/snapshot/sign.ts";
import { importTrustedKeys } from "../../shared/snapshot/verify.ts";
import { closedUrl } from "../../test/support/ports.ts";
import { openProxyKv, type Kv } from "../kv/open-kv.ts";
import { createProxyFixture, type ProxyFixture } from "../testing/proxy-fixture.ts";
import { applySnapshot, loadStoredSnapshot, saveHeldSnapshot } from "./apply-snapshot.ts";
import { CurrentSnapshot } from "./current.ts";
import { saveSnapshotJws } from "./snapshot-store.ts";

const MINUTE = 60_000;
const METRICS_TOKEN = "metrics-token-for-age-test";

let fx: ProxyFixture | undefined;
const dirs: string[] = [];
afterEach(() => setSystemTime());
afterAll(async () => {
  await fx?.cleanup();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function probedAge(url: string): Promise<{ health: number; metric: number; reachable: boolean }> {
  const health = (await (await fetch(`${url}/health`)).json()) as { snapshotAgeSeconds: number; controlPlaneReachable: boolean };
  const metrics = await (await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } })).text();
  const metric = Number(metrics.match(/^gateway_snapshot_age_seconds (\S+)$/m)?.[1]);
  return { health: health.snapshotAgeSeconds, metric, reachable: health.controlPlaneReachable };
}

test("a proxy restarted during an outage reports its stored snapshot's age since the control plane last confirmed it, on /health and /metrics", async () => {
  fx = await createProxyFixture();
  // Issued an hour before the proxy first takes it: the age counts from the proxy's confirmation, not from this.
  await fx.publish(fx.snapshot(1, (s) => void (s.issuedAt = new Date(Date.now() - 60 * MINUTE).toISOString())));
  const first = await fx.startProxy({ metricsToken: METRICS_TOKEN });
  expect(first.snapshotVersion()).toBe(1);
  expect((await probedAge(first.url)).health).toBeLessThan(60);
  await first.stop();

  // The control plane goes away; ten minutes later the region's proxy restarts on its stored snapshot.
  setSystemTime(new Date(Date.now() + 10 * MINUTE));
  const second = await fx.startProxy({ controlPlaneUrl: closedUrl(), metricsToken: METRICS_TOKEN });
  expect(second.snapshotVersion()).toBe(1);
  const age = await probedAge(second.url);
  expect(age.reachable).toBe(false);
  expect(age.health).toBeGreaterThanOrEqual(600);
  expect(age.health).toBeLessThan(30 * 60);
  expect(age.metric).toBe(age.health);

  // And restarting again keeps counting.
  await second.stop();
  setSystemTime(new Date(Date.now() + 5 * MINUTE));
  const third = await fx.startProxy({ controlPlaneUrl: closedUrl(), metricsToken: METRICS_TOKEN });
  expect((await probedAge(third.url)).health).toBeGreaterThanOrEqual(900);
  await third.stop();

  // The control plane back: its answer confirms the held snapshot, and the age is small again.
  const fourth = await fx.startProxy({ metricsToken: METRICS_TOKEN });
  const back = await probedAge(fourth.url);
  expect(back.reachable).toBe(true);
  expect(back.health).toBeLessThan(60);
  expect(back.metric).toBe(back.health);
  await fourth.stop();
}, 30_000);

const snapshot = (version: number, issuedAt: Date) => ({ schema: 1 as const, region: "eu", version, issuedAt: issuedAt.toISOString(), keys: {}, tenants: {}, aliases: {}, deployments: {}, pricing: {} });

async function freshKv(): Promise<Kv> {
  const dir = mkdtempSync(join(tmpdir(), "gw-stored-age-"));
  dirs.push(dir);
  return openProxyKv(dir);
}

/** The KV with its snapshot-part writes counted: a confirmation must not rewrite the snapshot. */
function countingPartWrites(kv: Kv): { kv: Kv; partWrites: () => number } {
  let partWrites = 0;
  const counting = new Proxy(kv, {
    get(target, prop) {
      if (prop !== "atomic") {
        const value = Reflect.get(target, prop);
        return typeof value === "function" ? value.bind(target) : value;
      }
      return () => {
        const op = target.atomic();
        const set = op.set.bind(op);
        return Object.assign(op, {
          set: (key: Parameters<typeof set>[0], value: unknown) => {
            if (key[1] === "parts") partWrites++;
            return set(key, value);
          },
        });
      };
    },
  });
  return { kv: counting, partWrites: () => partWrites };
}

test("a stored snapshot written by an older release (no confirmation time stored) is as old as its issuedAt", async () => {
  const { key } = await generateSigningKey("k1");
  const trusted = await importTrustedKeys({ keys: [key.publicJwk] });
  const kv = await freshKv();
  const issuedAt = new Date(Date.now() - 45 * MINUTE);
  await saveSnapshotJws(kv, 4, await signSnapshot(snapshot(4, issuedAt), key));
  const current = new CurrentSnapshot();
  expect(await loadStoredSnapshot({ region: "eu", trusted, current, kv, log: () => {} })).toBe("swapped");
  expect(current.ageSeconds()).toBeGreaterThanOrEqual(45 * 60);
  expect(current.ageSeconds()).toBeLessThan(46 * 60);
  kv.close();
});

test("a confirmation is saved on its own, without rewriting the snapshot, and what a restart reads back", async () => {
  const { key } = await generateSigningKey("k1");
  const trusted = await importTrustedKeys({ keys: [key.publicJwk] });
  const { kv, partWrites } = countingPartWrites(await freshKv());
  const start = Date.now();
  setSystemTime(new Date(start));
  const deps = { region: "eu", trusted, current: new CurrentSnapshot(), kv, log: () => {} };
  const v1 = await signSnapshot(snapshot(1, new Date(start)), key);
  expect(await applySnapshot(v1, deps, { persist: true })).toBe("swapped");
  expect(partWrites()).toBe(1);

  // Polls confirm it for 20 minutes (a 304 each: confirm, then saveHeldSnapshot, as the loop does).
  for (let at = start + 1000; at <= start + 20 * MINUTE; at += 1000) {
    setSystemTime(new Date(at));
    deps.current.confirm();
    await saveHeldSnapshot(deps);
  }
  // A 200 with the same snapshot confirms it too.
  expect(await applySnapshot(v1, deps, { persist: true })).toBe("unchanged");
  expect(partWrites()).toBe(1);

  // The control plane goes down at start + 20 min; a restart 7 minutes later.
  setSystemTime(new Date(start + 27 * MINUTE));
  const restarted = new CurrentSnapshot();
  expect(await loadStoredSnapshot({ ...deps, current: restarted })).toBe("swapped");
  const age = restarted.ageSeconds()!;
  expect(age).toBeGreaterThanOrEqual(7 * 60);
  // Saved at most every few seconds, so at most that much older than the last confirmation.
  expect(age).toBeLessThanOrEqual(7 * 60 + 10);
});
