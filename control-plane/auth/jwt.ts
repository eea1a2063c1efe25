/** Admin JWTs: HS256, issuer and audience pinned, `jti` recorded so a token can be revoked. */
import { jwtVerify, SignJWT } from "jose";

export const JWT_ISSUER = "llm-gateway-control-plane";
export const JWT_AUDIENCE = "llm-gateway-admin";
export const MAX_TOKEN_TTL_SECONDS = 3600;

export async function signAdminJwt(secret: Uint8Array, principalId: string, jti: string, ttlSeconds: number, now = new Date()): Promise<{ token: string; expiresAt: Date }> {
  const iat = Math.floor(now.getTime() / 1000);
  const token = await new SignJWT({})
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer(JWT_ISSUER)
    .setAudience(JWT_AUDIENCE)
    .setSubject(principalId)
    .setJti(jti)
    .setIssuedAt(iat)
    .setExpirationTime(iat + ttlSeconds)
    .sign(secret);
  return { token, expiresAt: new Date((iat + ttlSeconds) * 1000) };
}

/** The subject and jti of a valid, unexpired token signed with `secret`; null for anything else. */
export async function verifyAdminJwt(secret: Uint8Array, token: string): Promise<{ principalId: string; jti: string } | null> {
  try {
    const { payload } = await jwtVerify(token, secret, { issuer: JWT_ISSUER, audience: JWT_AUDIENCE, algorithms: ["HS256"] });
    if (typeof payload.sub !== "string" || typeof payload.jti !== "string") return null;
    return { principalId: payload.sub, jti: payload.jti };
  } catch {
    return null;
  }
}
