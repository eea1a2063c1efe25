/**
 * Verifies a snapshot JWS against pinned public keys and checks its shape and region.
 * Returns a verdict instead of throwing: a bad snapshot is an expected event, not a crash.
 *
 * A platform's snapshot is tens of MB and a proxy verifies it while serving, so the phases (signature,
 * JSON parse, shape check) are separated by a turn of the event loop: requests waiting meanwhile are
 * answered between them instead of after the whole job.
 */
import { compactVerify, decodeProtectedHeader, importJWK, type JWK } from "jose";
import { parseSnapshot, type Snapshot } from "./schema.ts";
import { SNAPSHOT_JWS_TYPE } from "./sign.ts";
import { yieldToEventLoop } from "../time/yield-to-event-loop.ts";

/**
 * A refusal's detail may hold what the answer sent (a kid, alg or typ of the unverified header; jose's
 * message naming a crit parameter), unquoted and whole: whoever logs it quotes and cuts it
 * (region-proxy/snapshot/apply-snapshot.ts).
 */
export type SnapshotVerdict =
  | { ok: true; snapshot: Snapshot }
  | { ok: false; reason: "malformed" | "unknown_key" | "bad_signature" | "invalid_payload" | "wrong_region"; detail: string };

export interface TrustedKeys {
  byKid: Map<string, CryptoKey>;
}

/** Imports a JWKS ({ keys: [...] }) of Ed25519 public keys to pin. Rejects private keys and a kid listed twice (one of the two would be dropped). */
export async function importTrustedKeys(jwks: { keys: JWK[] }): Promise<TrustedKeys> {
  const byKid = new Map<string, CryptoKey>();
  for (const jwk of jwks.keys ?? []) {
    if (!jwk.kid) throw new Error("trusted key without kid");
    if ("d" in jwk) throw new Error(`trusted key ${jwk.kid} is a private key; pin only public keys`);
    if (byKid.has(jwk.kid)) throw new Error(`trusted key id ${jwk.kid} is listed twice; each pinned key needs a kid of its own`);
    byKid.set(jwk.kid, (await importJWK({ ...jwk, alg: "EdDSA" }, "EdDSA")) as CryptoKey);
  }
  if (byKid.size === 0) throw new Error("no trusted keys given");
  return { byKid };
}

export async function verifySnapshot(jws: string, trusted: TrustedKeys, expectedRegion: string): Promise<SnapshotVerdict> {
  let kid: string | undefined;
  try {
    const header = decodeProtectedHeader(jws);
    if (header.alg !== "EdDSA" || header.typ !== SNAPSHOT_JWS_TYPE) {
      return { ok: false, reason: "malformed", detail: `unexpected header alg=${String(header.alg)} typ=${String(header.typ)}` };
    }
    kid = header.kid;
  } catch (error) {
    return { ok: false, reason: "malformed", detail: (error as Error).message };
  }
  const key = kid ? trusted.byKid.get(kid) : undefined;
  if (!key) return { ok: false, reason: "unknown_key", detail: kid === undefined ? "the header names no key id" : `key id ${kid} is not pinned` };
  let payload: Uint8Array;
  try {
    ({ payload } = await compactVerify(jws, key, { algorithms: ["EdDSA"] }));
  } catch (error) {
    return { ok: false, reason: "bad_signature", detail: (error as Error).message };
  }
  await yieldToEventLoop();
  let decoded: unknown;
  try {
    decoded = JSON.parse(new TextDecoder().decode(payload));
  } catch {
    return { ok: false, reason: "invalid_payload", detail: "payload is not JSON" };
  }
  await yieldToEventLoop();
  const parsed = parseSnapshot(decoded);
  if (!parsed.ok) return { ok: false, reason: "invalid_payload", detail: parsed.reason };
  if (parsed.value.region !== expectedRegion) {
    return { ok: false, reason: "wrong_region", detail: `snapshot is for ${parsed.value.region}, not ${expectedRegion}` };
  }
  return { ok: true, snapshot: parsed.value };
}
