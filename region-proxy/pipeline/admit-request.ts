/**
 * The front of every inference route, in order: a verified snapshot → authenticate → read and parse
 * the body (the route's own parser) → context → authorize the alias. One path, so chat, embeddings
 * and every route added later refuse the same inputs the same way; the route then plans, limits,
 * executes and settles.
 *
 * @example const admitted = await admitRequest(request, requestId, deps, parseChatRequest);
 *          if (!admitted.ok) return admitted.response;
 */
import type { GatewayError } from "../../shared/errors/openai-error.ts";
import type { Operation } from "../../shared/snapshot/provider-operations.ts";
import type { Snapshot, SnapshotAlias, SnapshotKey, SnapshotTenant } from "../../shared/snapshot/schema.ts";
import type { ProxyDeps } from "../deps.ts";
import { readPlainJsonBody } from "../../shared/http/read-json-body.ts";
import { openAiBody } from "../openai/read-body.ts";
import { authenticate } from "./authenticate.ts";
import { authorize } from "./authorize.ts";
import { buildContext, type RequestContext } from "./build-context.ts";
import { refuse } from "./refuse.ts";

export interface AdmittedRequest<T> {
  ok: true;
  startedMs: number;
  snapshot: Snapshot;
  key: SnapshotKey;
  /** The key's index in Snapshot.keys: a stream is checked against each newer snapshot by it (recheck-streams.ts). */
  keyHash: string;
  tenant: SnapshotTenant;
  body: T;
  context: RequestContext;
  alias: SnapshotAlias;
}

type Parser<T> = (body: unknown) => { ok: true; value: T } | { ok: false; error: GatewayError };

export async function admitRequest<T extends { model: string }>(
  request: Request,
  requestId: string,
  deps: ProxyDeps,
  parse: Parser<T>,
  /** What the route asks of the alias: the residency advice for an alias missing here names only regions that can do it. */
  operation: Operation = "chat",
): Promise<AdmittedRequest<T> | { ok: false; response: Response }> {
  const refused = (error: GatewayError) => ({ ok: false as const, response: refuse(deps, error, requestId) });
  const startedMs = Date.now();
  const loaded = deps.current.get();
  if (!loaded) return refused({ kind: "not_ready", retryAfterSeconds: 1 });
  const { snapshot } = loaded;

  const auth = authenticate(request.headers.get("authorization"), snapshot, startedMs);
  if (!auth.ok) {
    deps.log(`request ${requestId}: key refused (${auth.reason})`);
    return refused({ kind: "invalid_api_key" });
  }
  // A body still arriving when a graceful stop's grace period ends is answered 503 shutting_down:
  // InFlight.cut() ends a read still waiting as late (the body marked unread). None begins after it:
  // the stop is marked before cut() (main.ts) and server.ts refuses a request once it is, with no await
  // between that check and this read.
  const body = openAiBody(await readPlainJsonBody(request, deps.maxBodyBytes, deps.bodyReadTimeoutMs, deps.inFlight.bodyReads), deps.maxBodyBytes, deps.bodyReadTimeoutMs);
  if (!body.ok && body.error.kind === "request_timeout" && deps.inFlight.cutSignal.aborted) return refused({ kind: "shutting_down" });
  // The 413's advice fits what this route's body holds (images for chat, inputs for embeddings).
  if (!body.ok) return refused(body.error.kind === "request_too_large" ? { ...body.error, operation } : body.error);
  const parsed = parse(body.value);
  if (!parsed.ok) return refused(parsed.error);

  const context = buildContext(request, { requestId, startedMs, key: auth.key, tenant: auth.tenant, snapshotVersion: snapshot.version });
  if (!context.ok) return refused(context.error);

  const allowed = authorize(parsed.value.model, auth.key, snapshot, { dataClass: context.context.dataClass, operation });
  if (!allowed.ok) return refused(allowed.error);
  return { ok: true, startedMs, snapshot, key: auth.key, keyHash: auth.keyHash, tenant: auth.tenant, body: parsed.value, context: context.context, alias: allowed.alias };
}
