/** Authenticates a proxy by its region's bearer token (looked up by hash). */
import { hashSecret } from "../../shared/ids.ts";
import type { Queryable } from "../db/client.ts";
import { regionForTokenHash } from "../regions/region.repo.ts";

export function bearerToken(request: Request): string | null {
  const header = request.headers.get("authorization");
  const match = header ? /^Bearer ([\x21-\x7e]{1,512})$/.exec(header) : null;
  return match ? match[1]! : null;
}

/** The region the request's token belongs to, or null for a missing or unknown token. */
export async function authenticateRegion(q: Queryable, request: Request): Promise<string | null> {
  const token = bearerToken(request);
  return token ? regionForTokenHash(q, hashSecret(token)) : null;
}
