/** A snapshot's time zones are checked once per distinct zone string, not once per tenant per swap. */
import { afterEach, expect, test } from "bun:test";
import { parseSnapshot } from "./schema.ts";
import { isTimeZone } from "./time-zone.ts";

const RealFormat = Intl.DateTimeFormat;
afterEach(() => {
  Intl.DateTimeFormat = RealFormat;
});

/** Counts `Intl.DateTimeFormat` constructions per zone (a runtime global, not a module of ours). */
function countFormatters(): Map<string, number> {
  const built = new Map<string, number>();
  const Counting = function (this: unknown, locales?: string | string[], options?: Intl.DateTimeFormatOptions) {
    const zone = String(options?.timeZone);
    built.set(zone, (built.get(zone) ?? 0) + 1);
    return new RealFormat(locales, options);
  } as unknown as typeof Intl.DateTimeFormat;
  Intl.DateTimeFormat = Counting;
  return built;
}

const snapshotWith = (zones: string[]) => ({
  schema: 1, region: "eu", version: 1, issuedAt: "2026-01-01T00:00:00Z", keys: {}, aliases: {}, deployments: {}, pricing: {},
  tenants: Object.fromEntries(zones.map((timeZone, i) => [`ten_${i}`, { id: `ten_${i}`, name: `t${i}`, status: "active", timeZone }])),
});

test("a snapshot of many tenants in few zones builds one formatter per zone, and none on the next swap", () => {
  const built = countFormatters();
  const zones = Array.from({ length: 600 }, (_, i) => ["America/Cuiaba", "Pacific/Chatham", "Asia/Kathmandu"][i % 3]!);
  expect(parseSnapshot(snapshotWith(zones)).ok).toBe(true);
  expect(Object.fromEntries(built)).toEqual({ "America/Cuiaba": 1, "Pacific/Chatham": 1, "Asia/Kathmandu": 1 });
  expect(parseSnapshot(snapshotWith(zones)).ok).toBe(true);
  expect(Object.fromEntries(built)).toEqual({ "America/Cuiaba": 1, "Pacific/Chatham": 1, "Asia/Kathmandu": 1 });
});

test("an unknown zone is refused every time, and checked once", () => {
  const built = countFormatters();
  for (let i = 0; i < 3; i++) {
    const verdict = parseSnapshot(snapshotWith(["Mars/Olympus_Mons"]));
    expect(verdict).toEqual({ ok: false, reason: "tenant ten_0: timeZone Mars/Olympus_Mons is not an IANA time zone" });
  }
  expect(built.get("Mars/Olympus_Mons")).toBe(1);
  expect([isTimeZone(""), isTimeZone(42), isTimeZone("UTC")]).toEqual([false, false, true]);
});
