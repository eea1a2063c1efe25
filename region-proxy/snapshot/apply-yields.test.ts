/**
 * Applying a snapshot gives the event loop a turn between its phases (signature, JSON parse, shape
 * check, indexing), so a proxy keeps answering while a large snapshot is swapped in; and the swap is
 * one assignment, so whatever runs in between sees the old snapshot whole, then the new one whole.
 */
import { afterAll, expect, test } from "bun:test";
import { generateSigningKey, signSnapshot } from "../../shared/snapshot/sign.ts";
import { importTrustedKeys } from "../../shared/snapshot/verify.ts";
import { tempDirs } from "../../test/support/temp-dirs.ts";
import { openProxyKv } from "../kv/open-kv.ts";
import { applySnapshot } from "./apply-snapshot.ts";
import { CurrentSnapshot } from "./current.ts";

const dirs = tempDirs();
afterAll(dirs.removeAll);

const snapshot = (version: number) => ({
  schema: 1 as const, region: "eu", version, issuedAt: new Date().toISOString(), keys: {}, tenants: {}, pricing: {},
  aliases: { chat: { name: "chat", chain: ["dep_a"] }, [`only-v${version}`]: { name: `only-v${version}`, chain: ["dep_a"] } },
  deployments: { dep_a: { id: "dep_a", provider: "openai" as const, baseUrl: "http://127.0.0.1:1/v1", model: "m", region: "eu", credentialRef: "env:X" } },
});

test("timers set before apply run between its phases, and each sees one whole snapshot", async () => {
  const { key } = await generateSigningKey("k1");
  const trusted = await importTrustedKeys({ keys: [key.publicJwk] });
  const kv = await openProxyKv(dirs.make("apply-yields-"));
  const current = new CurrentSnapshot();
  const deps = { region: "eu", trusted, current, kv, log: () => {} };
  expect(await applySnapshot(await signSnapshot(snapshot(1), key), deps, { persist: false })).toBe("swapped");
  const next = await signSnapshot(snapshot(2), key);

  // What a request arriving meanwhile would see: the version and alias index it is served from.
  const seen: string[] = [];
  let done = false;
  const tick = () => {
    if (done) return;
    const loaded = current.get()!;
    seen.push(`${loaded.snapshot.version}:${loaded.aliasNames.join(",")}`);
    setTimeout(tick, 0);
  };
  setTimeout(tick, 0);
  const outcome = await applySnapshot(next, deps, { persist: false });
  done = true;
  kv.close();

  expect(outcome).toBe("swapped");
  // A turn after the signature, after the parse and after the indexes are built, all before the swap.
  expect(seen.length).toBeGreaterThanOrEqual(3);
  expect(seen.slice(0, 3)).toEqual(["1:chat,only-v1", "1:chat,only-v1", "1:chat,only-v1"]);
  expect(current.get()!.aliasNames).toEqual(["chat", "only-v2"]);
});
