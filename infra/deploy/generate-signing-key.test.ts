import { afterAll, describe, expect, test } from "bun:test";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { compactVerify } from "jose";
import { loadSigningKey } from "../../control-plane/snapshots/signing-key.ts";
import { signSnapshot } from "../../shared/snapshot/sign.ts";
import type { Snapshot } from "../../shared/snapshot/schema.ts";
import { importTrustedKeys } from "../../shared/snapshot/verify.ts";
import { newSigningKey, readPinnedKeys } from "./generate-signing-key.ts";

const dir = mkdtempSync(join(tmpdir(), "gw-signing-key-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What the control plane would read from the .env line. */
function envValue(line: string): string {
  const match = /^SIGNING_KEY_JWK='([^']+)'$/.exec(line);
  expect(match).not.toBeNull();
  return match![1]!;
}

describe("generate-signing-key", () => {
  test("the control plane signs with the private JWK and a proxy pinning the JWKS verifies it", async () => {
    const { kid, envLine, jwks } = await newSigningKey();
    const key = await loadSigningKey(dir, envValue(envLine));
    expect(key.kid).toBe(kid);
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]).not.toHaveProperty("d");
    const trusted = await importTrustedKeys(jwks);
    const jws = await signSnapshot({ region: "eu" } as unknown as Snapshot, key);
    const { payload } = await compactVerify(jws, trusted.byKid.get(kid)!);
    expect(JSON.parse(new TextDecoder().decode(payload))).toEqual({ region: "eu" });
  });

  test("a rotation keeps the keys already pinned beside the new one", async () => {
    const first = await newSigningKey();
    const second = await newSigningKey(first.jwks);
    expect(second.jwks.keys.map((key) => key.kid)).toEqual([first.kid, second.kid]);
  });

  test("an existing file must be a JWKS of public keys", async () => {
    expect(readPinnedKeys(join(dir, "absent.json"))).toEqual({ keys: [] });
    const { envLine } = await newSigningKey();
    const privateFile = join(dir, "private.json");
    writeFileSync(privateFile, JSON.stringify({ keys: [JSON.parse(envValue(envLine))] }));
    expect(() => readPinnedKeys(privateFile)).toThrow("private key");
    const notJwks = join(dir, "not-jwks.json");
    writeFileSync(notJwks, "{}");
    expect(() => readPinnedKeys(notJwks)).toThrow("not a JWKS");
  });
});
