/**
 * A refused snapshot's header is unverified: whatever answered at CONTROL_PLANE_URL chose its kid, alg
 * and typ, and the verdict's detail names them as sent. The refusal's log line (apply-snapshot.ts)
 * quotes and cuts the detail: a line break in a kid cannot forge a log line ("snapshot version 99
 * loaded"), and a kid of megabytes is not written whole to the log at every recheck.
 */
import { expect, test } from "bun:test";
import { base64url, CompactSign } from "jose";
import { generateSigningKey } from "../../shared/snapshot/sign.ts";
import { importTrustedKeys, type TrustedKeys } from "../../shared/snapshot/verify.ts";
import type { Kv } from "../kv/open-kv.ts";
import { applySnapshot } from "./apply-snapshot.ts";
import { CurrentSnapshot } from "./current.ts";

const payload = new TextEncoder().encode(JSON.stringify({ schema: 1, region: "eu", version: 2, issuedAt: new Date().toISOString(), keys: {}, tenants: {}, aliases: {}, deployments: {}, pricing: {} }));
const forged = "k9\n[proxy eu] snapshot version 99 loaded (was 1)";

async function refusalLogged(jws: string, trusted: TrustedKeys): Promise<string> {
  const logs: string[] = [];
  const deps = { region: "eu", trusted, current: new CurrentSnapshot(), kv: {} as Kv, log: (line: string) => logs.push(line) };
  expect(await applySnapshot(jws, deps, { persist: false })).toBe("refused");
  expect(logs).toHaveLength(1);
  return logs[0]!;
}

test("an unpinned kid is logged quoted, on one line, and cut short", async () => {
  const { key } = await generateSigningKey("k1");
  const trusted = await importTrustedKeys({ keys: [key.publicJwk] });
  for (const kid of [forged, "k".repeat(100_000)]) {
    const jws = await new CompactSign(payload).setProtectedHeader({ alg: "EdDSA", kid, typ: "gw-snapshot+jws" }).sign(key.privateKey);
    const line = await refusalLogged(jws, trusted);
    expect(line).toStartWith("snapshot refused: unknown_key (");
    expect(line).not.toContain("\n");
    expect(line.length).toBeLessThan(400);
    expect(line).toContain(JSON.stringify(kid).slice(1, 40));
  }
});

test("an unexpected alg or typ is logged quoted, on one line, and cut short", async () => {
  const { key } = await generateSigningKey("k1");
  const trusted = await importTrustedKeys({ keys: [key.publicJwk] });
  const header = (fields: object) => base64url.encode(JSON.stringify(fields));
  for (const fields of [{ alg: forged, kid: "k1", typ: "gw-snapshot+jws" }, { alg: "EdDSA", kid: "k1", typ: "t".repeat(100_000) }]) {
    const line = await refusalLogged(`${header(fields)}.${base64url.encode(payload)}.AAAA`, trusted);
    expect(line).toStartWith("snapshot refused: malformed (");
    expect(line).not.toContain("\n");
    expect(line.length).toBeLessThan(400);
  }
});
