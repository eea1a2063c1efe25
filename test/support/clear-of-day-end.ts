/**
 * For a test that spends through code reading its own clock (a proxy books a request in the day it
 * arrived) and then checks one day's budget: if the day, in `timeZone`, ends within `spanMs`, waits
 * until it has ended, so the whole test runs inside one day. Run across a midnight, part of its spend
 * lands in the next day's level and the day it checks holds less (a monthly budget resets at a
 * midnight too). Waits at most `spanMs`, and only then: give the test that much more timeout.
 *
 * `unit: "month"` is for a test that checks only a month's level: it waits only when the month ends
 * within the span, not at every midnight.
 *
 * A span must be 0 to one hour: at a day or more the day always ends within it and the wait would
 * never end, so anything else (NaN and Infinity too) is a RangeError.
 *
 * @example await clearOfDayEnd(20_000); const day = periodLabels(new Date(), "UTC").day;
 */
import { periodLabels } from "../../shared/time/local-date.ts";

const MAX_CLEAR_SPAN_MS = 3_600_000;

export async function clearOfDayEnd(spanMs: number, timeZone = "UTC", { unit = "day" }: { unit?: "day" | "month" } = {}): Promise<void> {
  if (!(spanMs >= 0 && spanMs <= MAX_CLEAR_SPAN_MS)) throw new RangeError(`clearOfDayEnd: spanMs must be 0 to ${MAX_CLEAR_SPAN_MS} ms, got ${spanMs}`);
  while (periodLabels(Date.now(), timeZone)[unit] !== periodLabels(Date.now() + spanMs, timeZone)[unit]) await Bun.sleep(50);
}
