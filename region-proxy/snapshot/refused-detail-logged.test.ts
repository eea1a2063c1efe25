/**
 * The detail of a refused snapshot's verdict comes, on some paths, from what answered at
 * CONTROL_PLANE_URL: jose checks a header's `crit` before the signature and its bad_signature message
 * quotes the parameter as sent ('Extension Header Parameter "…" is not recognized'). The refusal's log
 * line quotes and cuts the detail, so a line break cannot forge a second line ("snapshot version 99
 * loaded") and a parameter of 100 KB is not written whole at every recheck.
 */
import { expect, test } from "bun:test";
import { base64url } from "jose";
import { generateSigningKey } from "../../shared/snapshot/sign.ts";
import { importTrustedKeys } from "../../shared/snapshot/verify.ts";
import type { Kv } from "../kv/open-kv.ts";
import { applySnapshot } from "./apply-snapshot.ts";
import { CurrentSnapshot } from "./current.ts";

const forged = "x\n[proxy eu] snapshot version 99 loaded (was 1)";

test("a crit header parameter with a line break, or of 100 KB, is logged quoted, on one line, cut short", async () => {
  const { key } = await generateSigningKey("k1");
  const trusted = await importTrustedKeys({ keys: [key.publicJwk] });
  for (const parameter of [forged, forged + "y".repeat(100_000)]) {
    const logs: string[] = [];
    const deps = { region: "eu", trusted, current: new CurrentSnapshot(), kv: {} as Kv, log: (line: string) => logs.push(line) };
    const header = base64url.encode(JSON.stringify({ alg: "EdDSA", kid: "k1", typ: "gw-snapshot+jws", crit: [parameter], [parameter]: 1 }));
    expect(await applySnapshot(`${header}.${base64url.encode("{}")}.AAAA`, deps, { persist: false })).toBe("refused");
    expect(logs).toHaveLength(1);
    expect(logs[0]).toStartWith("snapshot refused: bad_signature (");
    expect(logs[0]).toContain("Extension Header Parameter");
    expect(logs[0]).not.toContain("\n");
    expect(logs[0]!.length).toBeLessThan(400);
    expect(logs[0]).toEndWith("; keeping version 0");
  }
});
