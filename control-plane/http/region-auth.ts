/** Authenticates a proxy by its region's bearer token (looked up by hash). */
import { hashSecret } from "../../shared/ids.ts";
import type { Queryable } from "../db/client.ts";
import { regionForTokenHash } from "../regions/region.repo.ts";

/**
 * The challenge every 401 of the control plane carries (RFC 9110 §11.6.1: a 401 names its scheme).
 * @example jsonError(401, "unauthenticated", "…", BEARER_CHALLENGE)
 */
export const BEARER_CHALLENGE: Readonly<Record<string, string>> = { "www-authenticate": 'Bearer realm="control-plane"' };

/**
 * The bearer token of `Authorization`, or null. The scheme is case-insensitive and separated by one or
 * more spaces or tabs (RFC 9110 §11.1, §11.4), as the region proxy reads it.
 * @example bearerToken(new Request(url, { headers: { authorization: "bearer regtok_…" } })) // "regtok_…"
 */
export function bearerToken(request: Request): string | null {
  const header = request.headers.get("authorization");
  const match = header ? /^bearer[ \t]+([\x21-\x7e]{1,512})[ \t]*$/i.exec(header) : null;
  return match ? match[1]! : null;
}

/** The region the request's token belongs to, or null for a missing or unknown token. */
export async function authenticateRegion(q: Queryable, request: Request): Promise<string | null> {
  const token = bearerToken(request);
  return token ? regionForTokenHash(q, hashSecret(token)) : null;
}
