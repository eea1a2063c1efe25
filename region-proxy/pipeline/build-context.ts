/**
 * Step 2, context: who asks (tenant, key), for which feature (`X-Feature-Id`, validated at the edge
 * because it lands in usage events and spend reports), when, and under which request id.
 */
import type { GatewayError } from "../../shared/errors/openai-error.ts";
import type { SnapshotKey, SnapshotTenant } from "../../shared/snapshot/schema.ts";

const FEATURE_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export interface RequestContext {
  requestId: string;
  /** ISO time the request arrived. */
  receivedAt: string;
  startedMs: number;
  key: SnapshotKey;
  tenant: SnapshotTenant;
  featureId: string | null;
  snapshotVersion: number;
}

export function buildContext(
  request: Request,
  base: { requestId: string; startedMs: number; key: SnapshotKey; tenant: SnapshotTenant; snapshotVersion: number },
): { ok: true; context: RequestContext } | { ok: false; error: GatewayError } {
  const feature = request.headers.get("x-feature-id");
  if (feature !== null && !FEATURE_ID.test(feature)) {
    return { ok: false, error: { kind: "invalid_value", param: "x-feature-id", message: "Invalid 'X-Feature-Id' header: expected 1-64 characters of A-Z a-z 0-9 . _ : -." } };
  }
  return { ok: true, context: { ...base, receivedAt: new Date(base.startedMs).toISOString(), featureId: feature } };
}
