/**
 * Writes what the refused-read throttles hold (as their end-of-minute timers would) and re-reads, every
 * 25 ms for up to `timeoutMs`, until `done` holds for the rows read: a field refused after its operation
 * answered (a non-null root field failed first) joins the held reads a little later. Answers the last
 * rows read, done or not, for the test's own assertions to judge.
 *
 * @example const rows = await flushUntil(() => rowsBy(team.id), (rows) => rows.length >= 2);
 */
import { flushHeldRefusedReadsNow } from "../audit/refused-read-throttle.ts";

export async function flushUntil<R>(read: () => Promise<R[]>, done: (rows: R[]) => boolean, timeoutMs = 5000): Promise<R[]> {
  let rows: R[] = [];
  for (let waited = 0; waited < timeoutMs; waited += 25) {
    await flushHeldRefusedReadsNow();
    rows = await read();
    if (done(rows)) break;
    await Bun.sleep(25);
  }
  return rows;
}
