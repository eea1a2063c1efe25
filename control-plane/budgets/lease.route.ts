/** POST /internal/v1/leases: a region's proxies ask for their share of global budgets (shared/leases/lease-wire.ts). */
import { parseLeaseRequest, type LeaseAnswer } from "../../shared/leases/lease-wire.ts";
import type { Sql } from "../db/client.ts";
import { jsonError } from "../http/json-error.ts";
import { readRegionJsonPost } from "../http/read-region-json-post.ts";
import { DEFAULT_LEASE_POLICY, type LeasePolicy } from "./grant-lease.ts";
import { bucketsCompleteSince } from "./budget-level.repo.ts";
import { serveLease } from "./serve-lease.ts";

const MAX_LEASE_BODY_BYTES = 256 * 1024;

/**
 * Authenticates the region, validates the body, answers one grant per asked level (in order), one level
 * after another; `log` hears what serveLease refused or did not believe. What every level would read
 * alike (the buckets' complete_since) is read once.
 */
export async function handleLeases(sql: Sql, request: Request, log: (line: string) => void, bodyReadTimeoutMs: number, policy: LeasePolicy = DEFAULT_LEASE_POLICY): Promise<Response> {
  const read = await readRegionJsonPost(sql, request, { maxBytes: MAX_LEASE_BODY_BYTES, tooLargeCode: "body_too_large", timeoutMs: bodyReadTimeoutMs });
  if (read instanceof Response) return read;
  const { region, body } = read;
  const parsed = parseLeaseRequest(body);
  if (typeof parsed === "string") return jsonError(400, "invalid_request", parsed);
  const answer: LeaseAnswer = { grants: [] };
  const bucketsSince = parsed.leases.length > 0 ? await bucketsCompleteSince(sql) : null;
  for (const ask of parsed.leases) answer.grants.push(await serveLease(sql, region, ask, policy, new Date(), log, bucketsSince));
  return Response.json(answer);
}
