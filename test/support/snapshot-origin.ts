/**
 * A tiny stand-in for the control plane's two internal endpoints (shared/internal-api.ts), for proxy
 * tests: GET /internal/v1/snapshots/{region} (region token, ETag/304, 404 before a publish) and
 * POST /internal/v1/usage (records each event id once, acks accepted + duplicates + rejected-with-id).
 *
 * Its usage endpoint refuses what the control plane's does (control-plane/usage/sort-usage-batch.ts, the
 * same checks): an event that does not parse, of another region than the token's, with an id repeated in
 * the batch with other content, or for a key no snapshot published to the region carried (or under
 * another tenant than its key's). A refused event is kept in `state.deadLetters`, listed in `rejected`
 * and acknowledged, as the control plane does, so a proxy that writes such events sees them leave its
 * outbox and never reach `events`.
 *
 * Its state lives in an object that can be handed to a new origin on the same port, so a test can
 * really kill the control plane and bring it back.
 *
 * @example const origin = await startSnapshotOrigin({ regionTokens: { "regtok_x": "eu" } }); origin.publish("eu", jws, 1);
 */
import { JWKS_PATH, MAX_USAGE_BATCH, noSnapshotYetMessage, SNAPSHOT_PATH_PREFIX, USAGE_PATH } from "../../shared/internal-api.ts";
import type { UsageBatchAck, UsageEvent } from "../../shared/usage/usage-event.ts";
import { deadLetterReason } from "../../control-plane/usage/dead-letter-payload.ts";
import { eventIdOf, keyNotCarriedReason, sentIdOf, sortUsageBatch } from "../../control-plane/usage/sort-usage-batch.ts";
import { decodeJwt, type JWK } from "jose";
import { serveAgain } from "./ports.ts";

export interface OriginState {
  snapshots: Map<string, { jws: string; version: number }>;
  /** Every distinct usage event, by id. */
  events: Map<string, UsageEvent>;
  /** How many times each event id arrived (re-sends included). */
  deliveries: Map<string, number>;
  snapshotRequests: { region: string; headers: Record<string, string> }[];
  usagePosts: number;
  /** Region → key id → tenant id, for every key a snapshot published to the region carried (the control plane's keyCarriedBy). */
  carriedKeys: Map<string, Map<string, string>>;
  /** Every refused usage event, as sent, with why and the region whose token sent it. */
  deadLetters: { region: string; reason: string; payload: unknown }[];
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
  return { snapshots: new Map(), events: new Map(), deliveries: new Map(), snapshotRequests: [], usagePosts: 0, carriedKeys: new Map(), deadLetters: [] };
}

/** Adds the keys of a published snapshot's payload to the region's carried keys; a JWS it cannot read (a test's tampered one) adds none. */
function noteCarriedKeys(state: OriginState, region: string, jws: string): void {
  let keys: unknown;
  try {
    keys = decodeJwt(jws).keys;
  } catch {
    return;
  }
  if (typeof keys !== "object" || keys === null) return;
  const carried = state.carriedKeys.get(region) ?? new Map<string, string>();
  state.carriedKeys.set(region, carried);
  for (const key of Object.values(keys) as { id?: unknown; tenantId?: unknown }[]) {
    if (typeof key?.id === "string" && typeof key.tenantId === "string") carried.set(key.id, key.tenantId);
  }
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
    const region = regionOf(request);
    if (!region) return Response.json({ error: "bad region token" }, { status: 401 });
    const body = (await request.json().catch(() => null)) as { events?: unknown } | null;
    if (!body || !Array.isArray(body.events)) return Response.json({ error: "expected { events: [...] }" }, { status: 400 });
    if (body.events.length > MAX_USAGE_BATCH) return Response.json({ error: `at most ${MAX_USAGE_BATCH} events` }, { status: 413 });
    state.usagePosts++;
    const { events, copies, refused } = sortUsageBatch(region, body.events);
    const carried = state.carriedKeys.get(region);
    for (const [eventId, event] of events) {
      const reason = keyNotCarriedReason(event, region, carried?.get(event.keyId));
      if (reason === null) continue;
      events.delete(eventId);
      copies.delete(eventId);
      refused.push({ raw: event, reason });
    }
    const ack: UsageBatchAck = { accepted: 0, duplicates: 0, rejected: [], ackedEventIds: [] };
    for (const [eventId, event] of events) {
      const sent = copies.get(eventId)!;
      state.deliveries.set(eventId, (state.deliveries.get(eventId) ?? 0) + sent);
      if (state.events.has(eventId)) ack.duplicates += sent;
      else {
        state.events.set(eventId, event);
        ack.accepted++;
        ack.duplicates += sent - 1;
      }
      ack.ackedEventIds.push(eventId);
    }
    for (const { raw, reason } of refused) {
      state.deadLetters.push({ region, reason, payload: raw });
      ack.rejected.push({ eventId: eventIdOf(raw), reason: deadLetterReason(reason) });
      const sent = sentIdOf(raw);
      if (sent !== null) ack.ackedEventIds.push(sent);
    }
    ack.ackedEventIds = [...new Set(ack.ackedEventIds)];
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
    publish: (region, jws, version) => {
      state.snapshots.set(region, { jws, version });
      noteCarriedKeys(state, region, jws);
    },
    events: () => [...state.events.values()],
    stop: async () => {
      await server.stop(true);
    },
  };
}
