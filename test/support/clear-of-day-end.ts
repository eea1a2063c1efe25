/**
 * For a test that spends through code reading its own clock (a proxy books a request in the day it
 * arrived) and then checks one day's budget: if the day, in `timeZone`, ends within `spanMs`, waits
 * until it has ended, so the whole test runs inside one day. Run across a midnight, part of its spend
 * lands in the next day's level and the day it checks holds less (a monthly budget resets at a
 * midnight too). Waits at most `spanMs`, and only then: give the test that much more timeout.
 *
 * @example await clearOfDayEnd(20_000); const day = periodKeys(new Date(), "UTC").day;
 */
import { periodLabels } from "../../shared/time/local-date.ts";

export async function clearOfDayEnd(spanMs: number, timeZone = "UTC"): Promise<void> {
  while (periodLabels(Date.now(), timeZone).day !== periodLabels(Date.now() + spanMs, timeZone).day) await Bun.sleep(50);
}
