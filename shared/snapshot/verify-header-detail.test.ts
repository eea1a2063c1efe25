/**
 * A refused snapshot's header is unverified: whatever answered at CONTROL_PLANE_URL chose its kid, alg
 * and typ. The verdict's detail (logged by the proxy as it is) quotes them, cut short: a line break
 * in a kid could forge a log line ("snapshot version 99 loaded"), and a kid of megabytes would be
 * written whole to the log at every recheck.
 */
import { expect, test } from "bun:test";
import { base64url, CompactSign } from "jose";
import { generateSigningKey } from "./sign.ts";
import { importTrustedKeys, verifySnapshot } from "./verify.ts";

const payload = new TextEncoder().encode(JSON.stringify({ schema: 1, region: "eu", version: 2, issuedAt: new Date().toISOString(), keys: {}, tenants: {}, aliases: {}, deployments: {}, pricing: {} }));
const forged = "k9\n[proxy eu] snapshot version 99 loaded (was 1)";

test("an unpinned kid is quoted in the detail, on one line, and cut short", async () => {
  const { key } = await generateSigningKey("k1");
  const trusted = await importTrustedKeys({ keys: [key.publicJwk] });
  for (const kid of [forged, "k".repeat(100_000)]) {
    const jws = await new CompactSign(payload).setProtectedHeader({ alg: "EdDSA", kid, typ: "gw-snapshot+jws" }).sign(key.privateKey);
    const verdict = await verifySnapshot(jws, trusted, "eu");
    expect(verdict.ok).toBe(false);
    if (verdict.ok) continue;
    expect(verdict.reason).toBe("unknown_key");
    expect(verdict.detail).not.toContain("\n");
    expect(verdict.detail.length).toBeLessThan(200);
    expect(verdict.detail).toContain(JSON.stringify(kid).slice(0, 40));
  }
});

test("an unexpected alg or typ is quoted in the detail, on one line, and cut short", async () => {
  const { key } = await generateSigningKey("k1");
  const trusted = await importTrustedKeys({ keys: [key.publicJwk] });
  const header = (fields: object) => base64url.encode(JSON.stringify(fields));
  for (const fields of [{ alg: forged, kid: "k1", typ: "gw-snapshot+jws" }, { alg: "EdDSA", kid: "k1", typ: "t".repeat(100_000) }]) {
    const verdict = await verifySnapshot(`${header(fields)}.${base64url.encode(payload)}.AAAA`, trusted, "eu");
    expect(verdict.ok).toBe(false);
    if (verdict.ok) continue;
    expect(verdict.reason).toBe("malformed");
    expect(verdict.detail).not.toContain("\n");
    expect(verdict.detail.length).toBeLessThan(200);
  }
});
