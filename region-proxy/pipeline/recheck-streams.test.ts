/**
 * endRefusedStreams: each running stream's key is checked against the new snapshot as authenticate
 * checks a new request's; a refused one is told invalid_api_key, a stream that ended is no longer held.
 * Its deployment is checked against the new snapshot's residency rule for its tenant and data class:
 * a removed deployment ends it with upstream_unavailable, one the rule no longer allows with
 * residency_violation (the trail reasons deployment_removed, residency_changed).
 */
import { expect, test } from "bun:test";
import type { GatewayError } from "../../shared/errors/openai-error.ts";
import type { Snapshot } from "../../shared/snapshot/schema.ts";
import { InFlight } from "../in-flight.ts";
import { endRefusedStreams, KEY_REFUSED } from "./recheck-streams.ts";
import { DEPLOYMENT_REMOVED, RESIDENCY_CHANGED } from "./residency-held.ts";

const key = (id: string, tenantId: string, extra = {}) => ({ id, tenantId, name: id, status: "active" as const, expiresAt: null, allowedAliases: null, ...extra });
const snapshot = {
  version: 7,
  keys: {
    h_live: key("k_live", "t_on"),
    h_revoked: key("k_revoked", "t_on", { status: "revoked" }),
    h_expired: key("k_expired", "t_on", { expiresAt: "2026-01-01T00:00:00Z" }),
    h_off: key("k_off", "t_off"),
  },
  tenants: { t_on: { id: "t_on", name: "On", status: "active" }, t_off: { id: "t_off", name: "Off", status: "disabled" } },
  deployments: { d_eu: { id: "d_eu", jurisdiction: "eu" } },
} as unknown as Snapshot;
const route = { tenantId: "t_on", deploymentId: "d_eu", dataClass: null };

test("streams whose key is revoked, expired, gone or under a disabled tenant are refused; a live key's is not", () => {
  const inFlight = new InFlight();
  const told: Record<string, { error: GatewayError; reason: string }> = {};
  for (const hash of ["h_live", "h_revoked", "h_expired", "h_off", "h_gone"]) {
    inFlight.beginStream(hash, route).refuse = (error, reason) => void (told[hash] = { error, reason });
  }
  endRefusedStreams(inFlight, snapshot, () => {}, Date.parse("2026-06-01T00:00:00Z"));
  expect(Object.keys(told).sort()).toEqual(["h_expired", "h_gone", "h_off", "h_revoked"]);
  expect(told.h_off).toEqual({ error: { kind: "invalid_api_key" }, reason: KEY_REFUSED });
});

test("a stream that ended is neither counted nor held, and end() is idempotent", () => {
  const inFlight = new InFlight();
  const stream = inFlight.beginStream("h_revoked", route);
  let refused = 0;
  stream.refuse = () => void refused++;
  expect(inFlight.size()).toBe(1);
  stream.end();
  stream.end();
  expect(inFlight.size()).toBe(0);
  endRefusedStreams(inFlight, snapshot, () => {});
  expect(refused).toBe(0);
  expect([...inFlight.runningStreams()]).toEqual([]);
});

test("a live key's stream ends when the new snapshot removes its deployment or its rule no longer allows it", () => {
  const narrowed = {
    ...snapshot,
    tenants: { ...snapshot.tenants, t_parent: { id: "t_parent", name: "P", status: "active", allowedJurisdictions: ["us"] }, t_child: { id: "t_child", name: "C", status: "active", parentId: "t_parent" } },
    keys: { ...snapshot.keys, h_child: key("k_child", "t_child") },
    deployments: { d_eu: { id: "d_eu", jurisdiction: "eu" }, d_us: { id: "d_us", jurisdiction: "us" } },
  } as unknown as Snapshot;
  const inFlight = new InFlight();
  const told: Record<string, { error: GatewayError; reason: string } | undefined> = {};
  const streams = {
    fits: ["h_live", { tenantId: "t_on", deploymentId: "d_eu", dataClass: "pii" }],
    removed: ["h_live", { tenantId: "t_on", deploymentId: "d_gone", dataClass: null }],
    ancestorNarrowed: ["h_child", { tenantId: "t_child", deploymentId: "d_eu", dataClass: null }],
    ancestorFits: ["h_child", { tenantId: "t_child", deploymentId: "d_us", dataClass: null }],
    phiWithoutBaa: ["h_live", { tenantId: "t_on", deploymentId: "d_eu", dataClass: "phi" }],
  } as const;
  for (const [name, [hash, r]] of Object.entries(streams)) inFlight.beginStream(hash, r).refuse = (error, reason) => void (told[name] = { error, reason });
  endRefusedStreams(inFlight, narrowed, () => {});
  expect(Object.keys(told).sort()).toEqual(["ancestorNarrowed", "phiWithoutBaa", "removed"]);
  expect(told.removed).toMatchObject({ error: { kind: "upstream_unavailable" }, reason: DEPLOYMENT_REMOVED });
  expect(told.ancestorNarrowed).toMatchObject({ error: { kind: "residency_violation" }, reason: RESIDENCY_CHANGED });
  expect(told.phiWithoutBaa).toMatchObject({ error: { kind: "residency_violation" }, reason: RESIDENCY_CHANGED });
});
