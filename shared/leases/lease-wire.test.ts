import { expect, test } from "bun:test";
import { MAX_LEASE_TTL_MS, parseLeaseAnswer } from "./lease-wire.ts";

const grant = (fields: Record<string, unknown> = {}) => ({
  scope: "ten:ten_a",
  period: "day:2026-11-25",
  managed: true,
  capMicros: 100_000,
  grantedMicros: 5_000,
  expiresAt: "2026-11-25T10:01:00.000Z",
  ttlMs: 60_000,
  exhausted: false,
  ledgerSpentMicros: 0,
  ledgerVersion: 0,
  ...fields,
});

test("a grant's ttlMs is its life relative to the answer: an integer from 0 to a day", () => {
  for (const ttlMs of [0, 60_000, MAX_LEASE_TTL_MS]) expect(parseLeaseAnswer({ grants: [grant({ ttlMs })] })).toEqual({ grants: [grant({ ttlMs })] });
  for (const ttlMs of [-1, 1.5, MAX_LEASE_TTL_MS + 1, Number.MAX_SAFE_INTEGER + 2, "60000", null, Number.NaN]) {
    expect(parseLeaseAnswer({ grants: [grant({ ttlMs })] })).toBe(`grants[0].ttlMs must be an integer from 0 to ${MAX_LEASE_TTL_MS}`);
  }
});

test("an older control plane's grant without ttlMs is still a grant (the proxy falls back to expiresAt)", () => {
  const { ttlMs: _, ...old } = grant();
  expect(parseLeaseAnswer({ grants: [old] })).toEqual({ grants: [old] });
  expect(parseLeaseAnswer({ grants: [{ ...old, expiresAt: "soon" }] })).toBe("grants[0].expiresAt must be an ISO 8601 time");
});
