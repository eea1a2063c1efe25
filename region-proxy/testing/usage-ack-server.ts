/**
 * A stand-in for the control plane's usage endpoint in outbox tests: keeps every batch it is sent (the
 * events as received, and the path they were posted to) and acknowledges the ids `ack` picks (all of
 * them by default).
 *
 * @example const ingest = startUsageAckServer({ ack: () => ["evt_b"] });
 *          startFlusher({ outbox, controlPlaneUrl: ingest.url, ... }); ... ingest.batches[0]
 */
import type { UsageBatchAck, UsageEvent } from "../../shared/usage/usage-event.ts";

export interface UsageAckServer {
  url: string;
  /** Each POSTed batch's events, in arrival order. */
  batches: UsageEvent[][];
  /** The path of each POST, in the same order. */
  paths: string[];
  stop(): Promise<void>;
}

export function startUsageAckServer(options: { ack?: (ids: string[]) => string[] } = {}): UsageAckServer {
  const batches: UsageEvent[][] = [];
  const paths: string[] = [];
  const server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    development: false,
    async fetch(request) {
      const { events } = (await request.json()) as { events: UsageEvent[] };
      batches.push(events);
      paths.push(new URL(request.url).pathname);
      const acked = (options.ack ?? ((ids) => ids))(events.map((e) => e.eventId));
      const ack: UsageBatchAck = { accepted: acked.length, duplicates: 0, rejected: [], ackedEventIds: acked };
      return Response.json(ack);
    },
    error: () => new Response("error", { status: 500 }),
  });
  return { url: `http://127.0.0.1:${server.port}`, batches, paths, stop: () => server.stop(true) };
}
