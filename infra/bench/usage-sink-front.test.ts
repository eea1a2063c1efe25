import { afterAll, expect, test } from "bun:test";
import { USAGE_PATH } from "../../shared/internal-api.ts";
import type { LoadResult } from "./spawn-server.ts";
import { startUsageSinkFront, usageOfLoad } from "./usage-sink-front.ts";

// No control plane behind it: only usage batches are sent here, and those the stub answers itself.
const front = startUsageSinkFront("http://127.0.0.1:9");
afterAll(() => front.stop());

async function ship(...ids: string[]) {
  const response = await fetch(front.url + USAGE_PATH, { method: "POST", body: JSON.stringify({ events: ids.map((eventId) => ({ eventId })) }) });
  expect(((await response.json()) as { ackedEventIds: string[] }).ackedEventIds).toEqual(ids);
}

const load = (sent: number): LoadResult => ({ ok: sent, errors: 0, rps: 0, p50: 1, p99: 1, sent });

test("waitFor resolves once the stub has acknowledged that many events in all, and false at its deadline", async () => {
  await ship("a", "b");
  expect(await front.waitFor(2, 1000)).toBe(true);
  const waiting = front.waitFor(4, 2000);
  await ship("c");
  await ship("d");
  expect(await waiting).toBe(true);
  const started = performance.now();
  expect(await front.waitFor(5, 60)).toBe(false);
  expect(performance.now() - started).toBeGreaterThanOrEqual(50);
});

test("usageOfLoad waits for every event of the load (one per request it sent, warm-up included) and says how many came when they did not", async () => {
  const settle = usageOfLoad(front, 1000);
  const settled = settle(load(3));
  await ship("e", "f");
  await Bun.sleep(20);
  await ship("g");
  expect(await settled).toBeNull();
  const short = usageOfLoad(front, 60);
  await ship("h");
  expect(await short(load(2))).toBe("1 of 2 usage events acknowledged 0.06 s after the load ended");
});
