/**
 * parseSnapshot and regionDirectory: an entry from an older control plane (no per-alias list) and one
 * from a newer one (with fields this proxy does not know) are both accepted; a malformed entry is
 * refused when the snapshot arrives, not when a residency_violation message is written from it.
 */
import { expect, test } from "bun:test";
import { parseSnapshot } from "./schema.ts";

const base = { schema: 1, region: "us", version: 1, issuedAt: "2026-01-01T00:00:00Z", keys: {}, tenants: {}, aliases: {}, deployments: {}, pricing: {} };
const withDirectory = (regionDirectory: unknown) => parseSnapshot({ ...base, regionDirectory });

test("an entry without per-alias lists and one with them are both accepted", () => {
  expect(withDirectory({ eu: { jurisdictions: ["eu"], publicUrl: "https://eu.gw" } }).ok).toBe(true);
  expect(withDirectory({ eu: { jurisdictions: ["eu"], publicUrl: null, aliases: { gpt: [{ jurisdiction: "eu", flags: ["baa"] }, { jurisdiction: null, flags: [] }] } } }).ok).toBe(true);
  expect(parseSnapshot(base).ok).toBe(true);
  // `embeddings` (whether those deployments can embed) is optional: older control planes omit it.
  expect(withDirectory({ eu: { jurisdictions: ["eu"], publicUrl: null, aliases: { gpt: [{ jurisdiction: "eu", flags: [], embeddings: false }, { jurisdiction: null, flags: [] }] } } }).ok).toBe(true);
});

test("fields this proxy does not know are ignored, in the entry and in a per-alias item", () => {
  const newer = { eu: { jurisdictions: ["eu"], publicUrl: null, weight: 3, aliases: { gpt: [{ jurisdiction: "eu", flags: [], providers: ["openai"] }] } } };
  const parsed = withDirectory(newer);
  expect(parsed.ok).toBe(true);
});

test("a malformed directory is refused with a reason naming the entry", () => {
  const cases: [unknown, string][] = [
    [[], "regionDirectory is not an object"],
    [{ eu: "https://eu.gw" }, "regionDirectory.eu is malformed"],
    [{ eu: { jurisdictions: "eu", publicUrl: null } }, "regionDirectory.eu is malformed"],
    [{ eu: { jurisdictions: ["eu"], publicUrl: 3 } }, "regionDirectory.eu is malformed"],
    [{ eu: { jurisdictions: ["eu"], publicUrl: null, aliases: [] } }, "regionDirectory.eu.aliases is not an object"],
    [{ eu: { jurisdictions: ["eu"], publicUrl: null, aliases: { gpt: { jurisdiction: "eu", flags: [] } } } }, "regionDirectory.eu.aliases.gpt is malformed"],
    [{ eu: { jurisdictions: ["eu"], publicUrl: null, aliases: { gpt: [{ jurisdiction: "eu" }] } } }, "regionDirectory.eu.aliases.gpt is malformed"],
    [{ eu: { jurisdictions: ["eu"], publicUrl: null, aliases: { gpt: [{ jurisdiction: 1, flags: [] }] } } }, "regionDirectory.eu.aliases.gpt is malformed"],
    [{ eu: { jurisdictions: ["eu"], publicUrl: null, aliases: { gpt: [{ jurisdiction: "eu", flags: [], embeddings: "yes" }] } } }, "regionDirectory.eu.aliases.gpt is malformed"],
  ];
  for (const [directory, reason] of cases) expect([directory, withDirectory(directory)]).toEqual([directory, { ok: false, reason }]);
});
