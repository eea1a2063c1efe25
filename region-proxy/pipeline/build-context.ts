/**
 * Step 2, context: who asks (tenant, key), for which feature (`X-Feature-Id`, validated at the edge
 * because it lands in usage events and spend reports), its data class (`X-Data-Class`, one of
 * residency.ts's known classes), when, and under which request id.
 */
import type { GatewayError } from "../../shared/errors/openai-error.ts";
import type { SnapshotKey, SnapshotTenant } from "../../shared/snapshot/schema.ts";
import { isFeatureId } from "../../shared/usage/feature-id.ts";

import { DATA_CLASS_FLAGS } from "./residency.ts";

const DATA_CLASS = /^[a-z0-9_-]{1,32}$/;
/** The common answer (no `X-Data-Class`), shared: callers only read it. */
const NO_DATA_CLASS = Object.freeze({ ok: true as const, dataClass: null });

export interface RequestContext {
  requestId: string;
  /** ISO time the request arrived. */
  receivedAt: string;
  startedMs: number;
  key: SnapshotKey;
  tenant: SnapshotTenant;
  featureId: string | null;
  /** From `X-Data-Class`; null when absent. */
  dataClass: string | null;
  snapshotVersion: number;
}

export function buildContext(
  request: Request,
  base: { requestId: string; startedMs: number; key: SnapshotKey; tenant: SnapshotTenant; snapshotVersion: number },
): { ok: true; context: RequestContext } | { ok: false; error: GatewayError } {
  const feature = request.headers.get("x-feature-id");
  if (feature !== null && !isFeatureId(feature)) {
    return { ok: false, error: { kind: "invalid_value", param: "x-feature-id", message: "Invalid 'X-Feature-Id' header: expected 1-64 characters of A-Z a-z 0-9 . _ : -." } };
  }
  const dataClass = readDataClass(request.headers);
  if (!dataClass.ok) return dataClass;
  const { requestId, startedMs, key, tenant, snapshotVersion } = base;
  return { ok: true, context: { requestId, startedMs, key, tenant, snapshotVersion, receivedAt: isoTime(startedMs), featureId: feature, dataClass: dataClass.dataClass } };
}

let lastMs = NaN;
let lastIso = "";

/** `ms` as an ISO time, made once per millisecond: the requests arriving within one share its string. */
function isoTime(ms: number): string {
  if (ms !== lastMs) {
    lastIso = new Date(ms).toISOString();
    lastMs = ms;
  }
  return lastIso;
}

/**
 * The request's `X-Data-Class` (null when absent), or the 400 for one residency.ts does not know; also
 * read by GET /v1/models, which lists only what a request of that class can be routed to.
 */
export function readDataClass(headers: Headers): { ok: true; dataClass: string | null } | { ok: false; error: GatewayError } {
  const dataClass = headers.get("x-data-class");
  if (dataClass === null) return NO_DATA_CLASS;
  if (!DATA_CLASS.test(dataClass) || !Object.hasOwn(DATA_CLASS_FLAGS, dataClass)) {
    return { ok: false, error: { kind: "invalid_value", param: "x-data-class", message: `Invalid 'X-Data-Class' header: expected one of ${Object.keys(DATA_CLASS_FLAGS).join(", ")}.` } };
  }
  return { ok: true, dataClass };
}
