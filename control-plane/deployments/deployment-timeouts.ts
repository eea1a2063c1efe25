/**
 * A deployment's own vendor timeouts: checked, merged on update, and read from their columns, in the
 * shape the proxy reads from the snapshot (shared/snapshot/schema.ts DeploymentTimeouts): only the
 * fields set, none at all = undefined, so an absent field is the proxy's VENDOR_*_TIMEOUT_MS default.
 */
import type { DeploymentTimeouts } from "../../shared/snapshot/schema.ts";
import { badInput } from "../graphql/errors.ts";

export type { DeploymentTimeouts } from "../../shared/snapshot/schema.ts";

/** What a caller may send: a field left out or null is unset. */
export interface TimeoutsInput {
  connectMs?: number | null;
  firstByteMs?: number | null;
  totalMs?: number | null;
}

const FIELDS = ["connectMs", "firstByteMs", "totalMs"] as const;

/**
 * Upper bounds, ms. A connection takes at most seconds; a thinking model may stay silent for minutes
 * before its first byte; an hour bounds the longest non-streamed answer worth waiting for (and so how
 * long a proxy may hold a request).
 */
export const MAX_TIMEOUT_MS: Readonly<Record<(typeof FIELDS)[number], number>> = { connectMs: 60_000, firstByteMs: 600_000, totalMs: 3_600_000 };

/**
 * The timeouts to store, or undefined when none is set. Refuses (BAD_USER_INPUT naming
 * `${field}.<name>`) a value that is not a positive integer within its bound, and a first-byte timeout
 * above the total one (the total would always end the call first).
 */
export function requireTimeouts(field: string, input: TimeoutsInput | null | undefined): DeploymentTimeouts | undefined {
  const out: DeploymentTimeouts = {};
  for (const name of FIELDS) {
    const v = input?.[name];
    if (v === undefined || v === null) continue;
    if (!Number.isSafeInteger(v) || v < 1 || v > MAX_TIMEOUT_MS[name]) throw badInput(`${field}.${name}`, `must be an integer of milliseconds from 1 to ${MAX_TIMEOUT_MS[name]}`);
    out[name] = v;
  }
  if (out.firstByteMs !== undefined && out.totalMs !== undefined && out.firstByteMs > out.totalMs) {
    throw badInput(`${field}.firstByteMs`, `must not exceed ${field}.totalMs (${out.totalMs})`);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * An update's timeouts over the deployment's: input undefined keeps them all, null clears them all;
 * within an object a field left out keeps its value and a null field clears it. The result is checked.
 */
export function mergeTimeouts(field: string, base: DeploymentTimeouts | undefined, input: TimeoutsInput | null | undefined): DeploymentTimeouts | undefined {
  if (input === undefined) return requireTimeouts(field, base);
  if (input === null) return undefined;
  const merged: TimeoutsInput = { ...base };
  for (const name of FIELDS) if (input[name] !== undefined) merged[name] = input[name];
  return requireTimeouts(field, merged);
}

/** The columns as the deployment's row reads them (see timeoutsFromRow). */
export const TIMEOUT_COLUMNS = `connect_timeout_ms as "connectMs", first_byte_timeout_ms as "firstByteMs", total_timeout_ms as "totalMs"`;

/** A row read with TIMEOUT_COLUMNS → its timeouts (undefined when none is set). */
export function timeoutsFromRow(row: { connectMs: number | null; firstByteMs: number | null; totalMs: number | null }): DeploymentTimeouts | undefined {
  const out: DeploymentTimeouts = {};
  for (const name of FIELDS) if (row[name] !== null) out[name] = row[name]!;
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The values to store in (connect_timeout_ms, first_byte_timeout_ms, total_timeout_ms). */
export function timeoutColumns(timeouts: DeploymentTimeouts | null | undefined): [number | null, number | null, number | null] {
  return [timeouts?.connectMs ?? null, timeouts?.firstByteMs ?? null, timeouts?.totalMs ?? null];
}
