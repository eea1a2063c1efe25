/**
 * endRefusedStreams: each running stream's key is checked against the new snapshot as authenticate
 * checks a new request's; a refused one is told invalid_api_key, a stream that ended is no longer held.
 */
import { expect, test } from "bun:test";
import type { GatewayError } from "../../shared/errors/openai-error.ts";
import type { Snapshot } from "../../shared/snapshot/schema.ts";
import { InFlight } from "../in-flight.ts";
import { endRefusedStreams, KEY_REFUSED } from "./recheck-streams.ts";

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
} as unknown as Snapshot;

test("streams whose key is revoked, expired, gone or under a disabled tenant are refused; a live key's is not", () => {
  const inFlight = new InFlight();
  const told: Record<string, { error: GatewayError; reason: string }> = {};
  for (const hash of ["h_live", "h_revoked", "h_expired", "h_off", "h_gone"]) {
    inFlight.beginStream(hash).refuse = (error, reason) => void (told[hash] = { error, reason });
  }
  endRefusedStreams(inFlight, snapshot, () => {}, Date.parse("2026-06-01T00:00:00Z"));
  expect(Object.keys(told).sort()).toEqual(["h_expired", "h_gone", "h_off", "h_revoked"]);
  expect(told.h_off).toEqual({ error: { kind: "invalid_api_key" }, reason: KEY_REFUSED });
});

test("a stream that ended is neither counted nor held, and end() is idempotent", () => {
  const inFlight = new InFlight();
  const stream = inFlight.beginStream("h_revoked");
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
