/**
 * What the benchmark's proxy sees as its control plane: snapshot polls (and anything else) are passed
 * to the real control plane, usage batches are acknowledged here without being stored.
 *
 * Why: the proxy's whole usage path still runs (outbox, group commits, batches POSTed and acknowledged,
 * deletions), but the control plane's ingestion (validation, PostgreSQL inserts: ~70 us of CPU per
 * event measured here) runs elsewhere in production, while on the benchmark's 2-core machine it would
 * take CPU in bursts from the very processes being measured. `--usage real` sends usage to the real
 * control plane instead.
 */
import { USAGE_PATH } from "../../shared/internal-api.ts";
import type { UsageBatchAck } from "../../shared/usage/usage-event.ts";

const EVENT_ID = /"eventId":"([^"]+)"/g;

export interface UsageSinkFront {
  url: string;
  /** Events acknowledged so far (the report checks the proxy really shipped them). */
  events(): number;
  stop(): Promise<void>;
}

export function startUsageSinkFront(controlPlaneUrl: string): UsageSinkFront {
  let received = 0;
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
        const ack: UsageBatchAck = { accepted: ids.length, duplicates: 0, rejected: [], ackedEventIds: ids };
        return Response.json(ack);
      }
      return fetch(controlPlaneUrl + url.pathname + url.search, { method: request.method, headers: request.headers, body: request.body });
    },
    error: () => new Response("front error", { status: 502 }),
  });
  return { url: `http://127.0.0.1:${server.port}`, events: () => received, stop: () => server.stop(true) };
}
