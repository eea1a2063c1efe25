/**
 * A tiny stand-in for the control plane's two internal endpoints (shared/internal-api.ts), for proxy
 * tests: GET /internal/v1/snapshots/{region} (region token, ETag/304, 404 before a publish) and
 * POST /internal/v1/usage (records each event id once, acks accepted + duplicates + rejected-with-id).
 *
 * Its state lives in an object that can be handed to a new origin on the same port, so a test can
 * really kill the control plane and bring it back.
 *
 * @example const origin = await startSnapshotOrigin({ regionTokens: { "regtok_x": "eu" } }); origin.publish("eu", jws, 1);
 */
import { JWKS_PATH, MAX_USAGE_BATCH, noSnapshotYetMessage, SNAPSHOT_PATH_PREFIX, USAGE_PATH } from "../../shared/internal-api.ts";
import { parseUsageEvent, type UsageBatchAck, type UsageEvent } from "../../shared/usage/usage-event.ts";
import type { JWK } from "jose";
import { serveAgain } from "./ports.ts";

export interface OriginState {
  snapshots: Map<string, { jws: string; version: number }>;
  /** Every distinct usage event, by id. */
  events: Map<string, UsageEvent>;
  /** How many times each event id arrived (re-sends included). */
  deliveries: Map<string, number>;
  snapshotRequests: { region: string; headers: Record<string, string> }[];
  usagePosts: number;
}

export interface SnapshotOrigin {
  url: string;
  port: number;
  state: OriginState;
  /** Serves `jws` as the region's snapshot with ETag `"<version>"`. */
  publish(region: string, jws: string, version: number): void;
  events(): UsageEvent[];
  stop(): Promise<void>;
}

export function createOriginState(): OriginState {
  return { snapshots: new Map(), events: new Map(), deliveries: new Map(), snapshotRequests: [], usagePosts: 0 };
}

export async function startSnapshotOrigin(opts: { regionTokens: Record<string, string>; port?: number; state?: OriginState; jwks?: { keys: JWK[] } }): Promise<SnapshotOrigin> {
  const state = opts.state ?? createOriginState();
  const regionOf = (request: Request): string | null => {
    const match = /^Bearer (\S+)$/.exec(request.headers.get("authorization") ?? "");
    return match ? (opts.regionTokens[match[1]!] ?? null) : null;
  };

  function snapshot(request: Request, region: string): Response {
    const tokenRegion = regionOf(request);
    state.snapshotRequests.push({ region, headers: Object.fromEntries(request.headers) });
    if (!tokenRegion) return Response.json({ error: "bad region token" }, { status: 401 });
    if (tokenRegion !== region) return Response.json({ error: "token of another region" }, { status: 403 });
    const held = state.snapshots.get(region);
    if (!held) return Response.json({ error: { message: noSnapshotYetMessage(region), code: "not_found" } }, { status: 404 });
    const etag = `"${held.version}"`;
    // RFC 9110 If-None-Match: a list of (possibly weak) tags, or `*`, as the control plane reads it.
    const matches = (request.headers.get("if-none-match") ?? "").split(",").some((t) => [etag, `W/${etag}`, "*"].includes(t.trim()));
    if (matches) return new Response(null, { status: 304, headers: { etag } });
    return new Response(held.jws, { headers: { etag, "content-type": "application/jose" } });
  }

  async function usage(request: Request): Promise<Response> {
    if (!regionOf(request)) return Response.json({ error: "bad region token" }, { status: 401 });
    const body = (await request.json().catch(() => null)) as { events?: unknown } | null;
    if (!body || !Array.isArray(body.events)) return Response.json({ error: "expected { events: [...] }" }, { status: 400 });
    if (body.events.length > MAX_USAGE_BATCH) return Response.json({ error: `at most ${MAX_USAGE_BATCH} events` }, { status: 413 });
    state.usagePosts++;
    const ack: UsageBatchAck = { accepted: 0, duplicates: 0, rejected: [], ackedEventIds: [] };
    for (const raw of body.events) {
      const parsed = parseUsageEvent(raw);
      const id = typeof (raw as { eventId?: unknown })?.eventId === "string" ? (raw as { eventId: string }).eventId : null;
      if (!parsed.ok) {
        ack.rejected.push({ eventId: id, reason: parsed.reason });
        if (id) ack.ackedEventIds.push(id);
        continue;
      }
      const eventId = parsed.event.eventId;
      state.deliveries.set(eventId, (state.deliveries.get(eventId) ?? 0) + 1);
      if (state.events.has(eventId)) ack.duplicates++;
      else {
        state.events.set(eventId, parsed.event);
        ack.accepted++;
      }
      ack.ackedEventIds.push(eventId);
    }
    return Response.json(ack);
  }

  // A restart on the old port retries a moment if the port is still held (see serveAgain).
  const server = await serveAgain({
    port: opts.port ?? 0,
    hostname: "127.0.0.1",
    development: false,
    async fetch(request) {
      const path = new URL(request.url).pathname;
      if (request.method === "GET" && path.startsWith(SNAPSHOT_PATH_PREFIX)) return snapshot(request, decodeURIComponent(path.slice(SNAPSHOT_PATH_PREFIX.length)));
      if (request.method === "POST" && path === USAGE_PATH) return usage(request);
      if (request.method === "GET" && path === JWKS_PATH && opts.jwks) return Response.json(opts.jwks);
      // As the control plane's route table answers a path it has no route for (the lease endpoint here).
      return Response.json({ error: { message: "no such route", code: "not_found" } }, { status: 404 });
    },
    error: (error) => Response.json({ error: error.message }, { status: 500 }),
  });

  return {
    url: `http://127.0.0.1:${server.port}`,
    port: server.port as number,
    state,
    publish: (region, jws, version) => void state.snapshots.set(region, { jws, version }),
    events: () => [...state.events.values()],
    stop: async () => {
      await server.stop(true);
    },
  };
}
