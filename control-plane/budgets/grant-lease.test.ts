import { expect, test } from "bun:test";
import { DEFAULT_LEASE_POLICY, grantLease, nextRate, type RegionState } from "./grant-lease.ts";

const region = (name: string, grantedMicros: number, spentMicros: number, lapsed = false): RegionState => ({ region: name, grantedMicros, spentMicros, lapsed });
const base = { capMicros: 1_000_000, rateMicrosPerS: 0, needMicros: 0, policy: DEFAULT_LEASE_POLICY };

test("an idle region starts with the floor", () => {
  expect(grantLease({ ...base, requester: region("eu", 0, 0, true), others: [] })).toEqual({ grantedMicros: 50_000, exhausted: false });
});

test("a busy region gets its rate times the horizon, and what it waits for", () => {
  expect(grantLease({ ...base, requester: region("eu", 50_000, 40_000), others: [], rateMicrosPerS: 10_000 }).grantedMicros).toBe(40_000 + 300_000);
  expect(grantLease({ ...base, requester: region("eu", 50_000, 40_000), others: [], needMicros: 600_000 }).grantedMicros).toBe(640_000);
});

test("grants keep the sum of every region's max(granted, spent) within the cap", () => {
  const others = [region("us", 700_000, 650_000), region("ap", 100_000, 120_000)];
  const grant = grantLease({ ...base, requester: region("eu", 100_000, 90_000), others, needMicros: 1_000_000 });
  expect(grant.grantedMicros).toBe(1_000_000 - 700_000 - 120_000);
  expect(grant.exhausted).toBe(true);
});

test("with another live lease, a region takes at most half of what is free beyond what it waits for", () => {
  const grant = grantLease({ ...base, requester: region("eu", 0, 0), others: [region("us", 200_000, 100_000)], rateMicrosPerS: 1_000_000 });
  expect(grant.grantedMicros).toBe(400_000);
  expect(grant.exhausted).toBe(false);
});

test("another region's lease lapsed past the grace still holds its whole grant: it may have spent it unseen", () => {
  const grant = grantLease({ ...base, requester: region("eu", 100_000, 100_000), others: [region("us", 800_000, 200_000, true)], needMicros: 600_000 });
  expect(grant).toEqual({ grantedMicros: 200_000, exhausted: true });
});

test("another region heard from since its lease lapsed holds only its spend: its usage reaches the ledger", () => {
  const us = { ...region("us", 800_000, 200_000, true), heardSinceLapse: true };
  const grant = grantLease({ ...base, requester: region("eu", 100_000, 100_000), others: [us], needMicros: 600_000 });
  expect(grant).toEqual({ grantedMicros: 100_000 + 600_000, exhausted: false });
});

test("a lapsed region's own ask releases its unused allowance: only the spend it reported counts", () => {
  const grant = grantLease({ ...base, requester: region("us", 800_000, 200_000, true), others: [region("eu", 100_000, 100_000)], needMicros: 600_000 });
  expect(grant).toEqual({ grantedMicros: 200_000 + 600_000, exhausted: false });
});

test("a lapsed lease is not a live one: the requester may take all that is free", () => {
  const grant = grantLease({ ...base, requester: region("eu", 0, 0), others: [region("us", 200_000, 100_000, true)], rateMicrosPerS: 1_000_000 });
  expect(grant).toEqual({ grantedMicros: 800_000, exhausted: true });
});

test("a lowered cap shrinks a live lease to what is left, never below the region's spend", () => {
  expect(grantLease({ ...base, requester: region("eu", 600_000, 300_000), others: [region("us", 600_000, 600_000)] })).toEqual({ grantedMicros: 400_000, exhausted: true });
  expect(grantLease({ ...base, requester: region("eu", 600_000, 500_000), others: [region("us", 600_000, 600_000)] })).toEqual({ grantedMicros: 500_000, exhausted: true });
});

test("the spend rate is an average of the newest interval and the past", () => {
  expect(nextRate(0, 0, 1000, 1000)).toBe(500);
  expect(nextRate(500, 1000, 1000, 1000)).toBe(250);
  expect(nextRate(500, 0, 1000, 10)).toBe(500);
});
