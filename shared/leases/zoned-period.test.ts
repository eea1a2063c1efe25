import { expect, test } from "bun:test";
import { parseLeaseRequest } from "./lease-wire.ts";
import { splitZonedPeriod, wirePeriod, zonedPeriod } from "./zoned-period.ts";

test("a zoned period splits back into its label and zone; a bare label has no zone", () => {
  expect(splitZonedPeriod(zonedPeriod("day:2026-03-09", "America/Argentina/Buenos_Aires"))).toEqual({ label: "day:2026-03-09", timeZone: "America/Argentina/Buenos_Aires" });
  expect(splitZonedPeriod("month:2026-03")).toEqual({ label: "month:2026-03", timeZone: null });
});

test("on the lease wire the label stays `period` (a control plane that predates the zone reads it) and the zone is `timeZone`", () => {
  expect(wirePeriod("day:2026-03-09@Asia/Tokyo")).toEqual({ period: "day:2026-03-09", timeZone: "Asia/Tokyo" });
  expect(wirePeriod("day:2026-03-09")).toEqual({ period: "day:2026-03-09" });
  const ask = { scope: "ten:ten_a", ...wirePeriod("day:2026-03-09@Asia/Tokyo"), spentMicros: 5 };
  expect(parseLeaseRequest({ leases: [ask] })).toEqual({ leases: [{ ...ask, needMicros: 0 }] });
  expect(parseLeaseRequest({ leases: [{ scope: "ten:ten_a", period: "day:2026-03-09", spentMicros: 5 }] })).toEqual({ leases: [{ scope: "ten:ten_a", period: "day:2026-03-09", spentMicros: 5, needMicros: 0 }] });
  for (const timeZone of ["Mars/Olympus", "", 5, "Asia/Tokyo@x", "A".repeat(65)]) {
    expect(parseLeaseRequest({ leases: [{ scope: "ten:ten_a", period: "day:2026-03-09", timeZone, spentMicros: 0 }] })).toBe("leases[0].timeZone must be an IANA time zone");
  }
  // A zoned label in `period` is no period on the wire: the zone travels apart.
  expect(typeof parseLeaseRequest({ leases: [{ scope: "ten:ten_a", period: "day:2026-03-09@Asia/Tokyo", spentMicros: 0 }] })).toBe("string");
});
