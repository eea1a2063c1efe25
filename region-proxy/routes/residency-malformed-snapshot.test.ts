/**
 * A snapshot whose residency fields are not of their type is refused when it arrives (the proxy keeps
 * the snapshot it holds), as a malformed regionDirectory already was. Before, parseSnapshot never read
 * a deployment's `flags`, a tenant's `allowedJurisdictions` or `allowedAliases`, or a key's
 * `allowedAliases`, and the checks that read them work on strings too, as substring tests:
 * `flags: "no-baa"` satisfied phi (`"no-baa".includes("baa")`), so health data went to a deployment
 * without a BAA; an ancestor's `allowedJurisdictions: "eu-west"` let a child's `eu` through; a key's
 * `allowedAliases: "chat-large"` allowed `chat`; and a number answered every request 500 (TypeError).
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { Snapshot } from "../../shared/snapshot/schema.ts";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";

let fx: ProxyFixture;
let proxy: RunningProxy;
const messages = [{ role: "user" as const, content: "my lab results" }];

/** Version 1: `health` has one deployment, without a BAA; every deployment is in the EU. */
const base = (version: number, change?: (s: Snapshot) => void) =>
  fx.snapshot(version, (s) => {
    for (const d of Object.values(s.deployments)) d.jurisdiction = "eu";
    s.deployments.dep_plain = { ...s.deployments.dep_echo1!, id: "dep_plain", flags: [] };
    s.aliases.health = { name: "health", chain: ["dep_plain"] };
    change?.(s);
  });

beforeAll(async () => {
  fx = await createProxyFixture();
  await fx.publish(base(1));
  // Each refused snapshot doubles the pause before the next poll (up to 32 × snapshotPollMs): at the
  // fixture's 100 ms the sixth refusal in a row would come ~6 s in, past bun's 5 s per test.
  proxy = await fx.startProxy({ snapshotPollMs: 20 });
});
afterAll(() => fx.cleanup());

const phi = () => fx.client(proxy).chat.completions.create({ model: "health", messages }, { headers: { "x-data-class": "phi" } }).catch((e) => e);

let version = 1;
/**
 * Publishes a snapshot changed by `change` and waits until the proxy has refused it or swapped it in.
 * Only log lines written after this publish count (two cases may share a reason), so it returns
 * where they start, for refusedFor.
 */
async function publish(change: (s: Snapshot) => void, reason: string): Promise<number> {
  version++;
  const seen = fx.logs.length;
  await fx.publish(base(version, change));
  await waitFor(() => fx.logs.slice(seen).some((l) => l.includes("snapshot refused") && l.includes(reason)) || proxy.snapshotVersion() === version, `version ${version} polled`);
  return seen;
}
const refusedFor = (reason: string, seen: number) => [proxy.snapshotVersion(), fx.logs.slice(seen).some((l) => l.startsWith("snapshot refused: invalid_payload (") && l.includes(reason))];

test("a deployment's flags given as a string: the snapshot is refused, and phi still never reaches the deployment without a BAA", async () => {
  expect((await phi()).code).toBe("residency_violation");
  const calls = fx.vendor.calls("echo-1");
  const reason = "deployment dep_plain: flags must be a list of strings";
  const seen = await publish((s) => void ((s.deployments.dep_plain as unknown as { flags: unknown }).flags = "no-baa"), reason);
  const error = await phi();
  expect([error.status, error.code]).toEqual([403, "residency_violation"]);
  expect(fx.vendor.calls("echo-1")).toBe(calls);
  expect(refusedFor(reason, seen)).toEqual([1, true]);
});

test("a deployment's jurisdiction, or a tenant's or key's list, of another type: refused with the field named", async () => {
  const tenant = (field: "allowedJurisdictions" | "allowedAliases", value: unknown) => (s: Snapshot) => void ((s.tenants.ten_a as unknown as Record<string, unknown>)[field] = value);
  const cases: [(s: Snapshot) => void, string][] = [
    [(s) => void ((s.deployments.dep_plain as unknown as { jurisdiction: unknown }).jurisdiction = ["eu"]), "deployment dep_plain: jurisdiction must be a string or null"],
    [tenant("allowedJurisdictions", "eu-west"), "tenant ten_a: allowedJurisdictions must be a list of strings or null"],
    [tenant("allowedJurisdictions", 3), "tenant ten_a: allowedJurisdictions must be a list of strings or null"],
    [tenant("allowedAliases", "chat-large"), "tenant ten_a: allowedAliases must be a list of strings or null"],
    [(s) => void ((Object.values(s.keys).find((k) => k.id === "key_main") as unknown as Record<string, unknown>).allowedAliases = "chat-large"), "allowedAliases must be a list of alias names or null"],
  ];
  for (const [change, reason] of cases) {
    const seen = await publish(change, reason);
    expect([reason, ...refusedFor(reason, seen)]).toEqual([reason, 1, true]);
  }
  // The held snapshot still answers as before.
  const ok = await fx.client(proxy).chat.completions.create({ model: "chat", messages });
  expect(ok.choices[0]!.message.role).toBe("assistant");
});
