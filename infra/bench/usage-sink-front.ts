/**
 * What the benchmark's proxy sees as its control plane: snapshot polls (and anything else) are passed
 * to the real control plane, usage batches are acknowledged here without being stored.
 *
 * Why: the proxy's whole usage path still runs (outbox, group commits, batches POSTed and acknowledged,
 * deletions), but the control plane's ingestion (validation, PostgreSQL inserts: ~70 us of CPU per
 * event measured here) runs elsewhere in production, while on the benchmark's 2-core machine it would
 * take CPU in bursts from the very processes being measured. `--usage real` sends usage to the real
 * control plane instead.
 *
 * The proxy's outbox ships once a second, so a load's last batches leave after the load has ended:
 * `usageOfLoad` waits for them, so the CPU read after it includes shipping them, and none is shipped
 * inside the next load's measurement.
 */
import { USAGE_PATH } from "../../shared/internal-api.ts";
import type { UsageBatchAck } from "../../shared/usage/usage-event.ts";
import type { LoadResult } from "./spawn-server.ts";

const EVENT_ID = /"eventId":"([^"]+)"/g;

export interface UsageSinkFront {
  url: string;
  /** Events acknowledged so far (the report checks the proxy really shipped them). */
  events(): number;
  /** True once `total` events in all have been acknowledged; false if `timeoutMs` passes first. */
  waitFor(total: number, timeoutMs: number): Promise<boolean>;
  stop(): Promise<void>;
}

export function startUsageSinkFront(controlPlaneUrl: string): UsageSinkFront {
  let received = 0;
  const waiters = new Set<{ total: number; done: (reached: boolean) => void }>();
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    development: false,
    async fetch(request) {
      const url = new URL(request.url);
      if (url.pathname === USAGE_PATH && request.method === "POST") {
        // Only the ids are needed for the acknowledgement: found by their key rather than by parsing
        // every event, so the stub standing in for a remote control plane takes as little as it can
        // of the CPU the measured processes share (the proxy's usage events carry the key once each).
        const ids = Array.from((await request.text()).matchAll(EVENT_ID), (match) => match[1]!);
        received += ids.length;
        for (const waiter of waiters) if (received >= waiter.total) waiter.done(true);
        const ack: UsageBatchAck = { accepted: ids.length, duplicates: 0, rejected: [], ackedEventIds: ids };
        return Response.json(ack);
      }
      return fetch(controlPlaneUrl + url.pathname + url.search, { method: request.method, headers: request.headers, body: request.body });
    },
    error: () => new Response("front error", { status: 502 }),
  });
  function waitFor(total: number, timeoutMs: number): Promise<boolean> {
    if (received >= total) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = {
        total,
        done(reached: boolean) {
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(reached);
        },
      };
      const timer = setTimeout(() => waiter.done(false), timeoutMs);
      waiters.add(waiter);
    });
  }
  return { url: `http://127.0.0.1:${server.port}`, events: () => received, waitFor, stop: () => server.stop(true) };
}

/** How long after a load the benchmark waits at most for its usage events: the outbox ships once a second. */
export const USAGE_WAIT_MS = 2_000;

/**
 * Call just before a load on the proxy; the function it returns, given that load's result, waits until
 * the stub has acknowledged every usage event of the load (one per request it sent, warm-up included:
 * `sent`), at most `timeoutMs`, and returns null, or a note saying how many had come when it gave up.
 *
 * @example const settle = usageOfLoad(front); const result = await runLoad(args); const note = await settle(result);
 */
export function usageOfLoad(front: UsageSinkFront, timeoutMs = USAGE_WAIT_MS): (result: LoadResult) => Promise<string | null> {
  const before = front.events();
  return async (result) => {
    const expected = result.sent ?? result.ok + result.errors;
    if (await front.waitFor(before + expected, timeoutMs)) return null;
    return `${front.events() - before} of ${expected} usage events acknowledged ${timeoutMs / 1000} s after the load ended`;
  };
}
