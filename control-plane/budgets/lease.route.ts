/** POST /internal/v1/leases: a region's proxies ask for their share of global budgets (shared/leases/lease-wire.ts). */
import { readBodyText } from "../../shared/http/read-body-text.ts";
import { parseLeaseRequest, type LeaseAnswer } from "../../shared/leases/lease-wire.ts";
import type { Sql } from "../db/client.ts";
import { jsonError } from "../http/json-error.ts";
import { authenticateRegion } from "../http/region-auth.ts";
import { DEFAULT_LEASE_POLICY, type LeasePolicy } from "./grant-lease.ts";
import { serveLease } from "./serve-lease.ts";

const MAX_LEASE_BODY_BYTES = 256 * 1024;

/** Authenticates the region, validates the body, answers one grant per asked level (in order). */
export async function handleLeases(sql: Sql, request: Request, policy: LeasePolicy = DEFAULT_LEASE_POLICY): Promise<Response> {
  if (request.method !== "POST") return jsonError(405, "method_not_allowed", "use POST", { allow: "POST" });
  const region = await authenticateRegion(sql, request);
  if (!region) return jsonError(401, "unauthenticated", "missing or invalid region token");
  const text = await readBodyText(request, MAX_LEASE_BODY_BYTES);
  if (text === "too_large") return jsonError(413, "body_too_large", `body exceeds ${MAX_LEASE_BODY_BYTES} bytes`);
  if (text === "cut_off") return jsonError(400, "invalid_json", "the body could not be read completely");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return jsonError(400, "invalid_json", "body is not JSON");
  }
  const parsed = parseLeaseRequest(body);
  if (typeof parsed === "string") return jsonError(400, "invalid_request", parsed);
  const answer: LeaseAnswer = { grants: [] };
  for (const ask of parsed.leases) answer.grants.push(await serveLease(sql, region, ask, policy));
  return Response.json(answer);
}
