/**
 * residencyRecheck: before each vendor call a walk asks whether the snapshot held now still allows the
 * deployment for the request's tenant and data class. Unchanged snapshot: allowed without a lookup;
 * newer one: removed deployments and ones the narrowed rule refuses are named by their trail reason,
 * and the answer, when nothing else is, is what a new request would get. A key the newer snapshot
 * refuses (revoked, its tenant disabled or gone) refuses every deployment and the request itself.
 */
import { expect, test } from "bun:test";
import type { Snapshot } from "../../shared/snapshot/schema.ts";
import { DEPLOYMENT_REMOVED, RESIDENCY_CHANGED } from "./residency-held.ts";
import { KEY_REFUSED } from "./recheck-streams.ts";
import { residencyRecheck } from "./residency-recheck.ts";

const dep = (id: string, jurisdiction: string, flags?: string[]) => ({ id, provider: "openai", baseUrl: "http://x/v1", model: id, region: "eu", credentialRef: "env:K", jurisdiction, flags });
const KEY_HASH = "h_key";
const snapshot = (jurisdictions: string[] | null, deployments = [dep("d_eu", "eu"), dep("d_us", "us")], keyStatus = "active", tenantStatus = "active") =>
  ({
    version: 1,
    region: "eu",
    tenants: { t_parent: { id: "t_parent", name: "p", status: "active", allowedJurisdictions: jurisdictions }, t_a: { id: "t_a", name: "a", status: tenantStatus, parentId: "t_parent" } },
    keys: { [KEY_HASH]: { tenantId: "t_a", status: keyStatus, expiresAt: null, allowedRegions: null } },
    deployments: Object.fromEntries(deployments.map((d) => [d.id, d])),
  }) as unknown as Snapshot;
const held = (s: Snapshot) => ({ snapshot: s });
const route = (admitted: Snapshot, dataClass: string | null = null) => ({ snapshot: admitted, tenantId: "t_a", key: { allowedRegions: null }, keyHash: KEY_HASH, dataClass, alias: "mixed", operation: "chat" as const });

test("the admission's snapshot still held: every planned deployment may be called, none is looked up", () => {
  const admitted = snapshot(["eu", "us"]);
  // A deployment the snapshot does not even have: only the reference is compared.
  const recheck = residencyRecheck({ get: () => held(admitted) }, route(admitted));
  expect([recheck.refuses(dep("d_us", "us") as never), recheck.refuses(dep("d_unknown", "mars") as never)]).toEqual([null, null]);
});

test("a newer snapshot narrowing an ancestor to eu refuses the us deployment, keeps the eu one; the answer is the 403 for the rule held now", () => {
  const admitted = snapshot(["eu", "us"]);
  let now = admitted;
  const recheck = residencyRecheck({ get: () => held(now) }, route(admitted));
  now = snapshot(["eu"]);
  expect([recheck.refuses(dep("d_eu", "eu") as never), recheck.refuses(dep("d_us", "us") as never)]).toEqual([null, RESIDENCY_CHANGED]);
  const answer = recheck.answer();
  expect(answer.kind).toBe("residency_violation");
  expect(answer).toMatchObject({ message: expect.stringContaining("data must stay in eu") });
});

test("judged as the held snapshot describes the deployment: one re-labelled out of the rule is refused", () => {
  const admitted = snapshot(["eu"]);
  let now = admitted;
  const recheck = residencyRecheck({ get: () => held(now) }, route(admitted));
  now = snapshot(["eu"], [dep("d_eu", "us")]);
  expect(recheck.refuses(dep("d_eu", "eu") as never)).toBe(RESIDENCY_CHANGED);
});

test("the data class's flags are part of the rule held now", () => {
  const admitted = snapshot(null, [dep("d_eu", "eu", ["baa"])]);
  let now = admitted;
  const recheck = residencyRecheck({ get: () => held(now) }, route(admitted, "phi"));
  now = snapshot(null, [dep("d_eu", "eu", [])]);
  expect(recheck.refuses(dep("d_eu", "eu", ["baa"]) as never)).toBe(RESIDENCY_CHANGED);
  expect(recheck.answer()).toMatchObject({ kind: "residency_violation", message: expect.stringContaining("baa") });
});

test("a deployment the newer snapshot removed (kill switch) is refused; with no rule refusal the answer is a 503", () => {
  const admitted = snapshot(["eu", "us"]);
  let now = admitted;
  const recheck = residencyRecheck({ get: () => held(now) }, route(admitted));
  now = snapshot(["eu", "us"], [dep("d_eu", "eu")]);
  expect(recheck.refuses(dep("d_us", "us") as never)).toBe(DEPLOYMENT_REMOVED);
  expect(recheck.answer()).toMatchObject({ kind: "upstream_unavailable", retryAfterSeconds: 1 });
});

test("a tenant the newer snapshot no longer has allows nothing: its key's answer", () => {
  const admitted = snapshot(["eu", "us"]);
  let now = admitted;
  const recheck = residencyRecheck({ get: () => held(now) }, route(admitted));
  now = { ...snapshot(["eu", "us"]), tenants: {} } as Snapshot;
  expect(recheck.refuses(dep("d_eu", "eu") as never)).toBe(KEY_REFUSED);
  expect({ request: recheck.requestRefused(), answer: recheck.answer() }).toEqual({ request: { kind: "invalid_api_key" }, answer: { kind: "invalid_api_key" } });
});

for (const [what, keyStatus, tenantStatus] of [["key revoked", "revoked", "active"], ["tenant disabled", "active", "disabled"]] as const) {
  test(`a newer snapshot with the ${what}: every deployment refused as key_refused, the request refused as a new one would be`, () => {
    const admitted = snapshot(["eu", "us"]);
    let now = admitted;
    const recheck = residencyRecheck({ get: () => held(now) }, route(admitted));
    expect(recheck.requestRefused()).toBeNull();
    now = snapshot(["eu", "us"], undefined, keyStatus, tenantStatus);
    expect([recheck.refuses(dep("d_eu", "eu") as never), recheck.refuses(dep("d_us", "us") as never)]).toEqual([KEY_REFUSED, KEY_REFUSED]);
    expect(recheck.requestRefused()).toEqual({ kind: "invalid_api_key" });
  });
}

test("a key the newer snapshot still allows is not refused: the request goes on under the deployment rules", () => {
  const admitted = snapshot(["eu", "us"]);
  let now = admitted;
  const recheck = residencyRecheck({ get: () => held(now) }, route(admitted));
  now = snapshot(["eu"]);
  expect(recheck.refuses(dep("d_us", "us") as never)).toBe(RESIDENCY_CHANGED);
  expect(recheck.requestRefused()).toBeNull();
});
