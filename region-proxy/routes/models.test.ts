/**
 * GET /v1/models/{id} answers exactly what the list says of that alias (an allowed one, one the key or
 * its tenant tree may not use, one its residency rule cannot be served here, one that does not exist),
 * and judges only the alias asked about: its cost does not grow with the snapshot's alias count.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { hashSecret, newGatewayKey } from "../../shared/ids.ts";
import type { Snapshot } from "../../shared/snapshot/schema.ts";
import type { ProxyDeps } from "../deps.ts";
import type { RunningProxy } from "../main.ts";
import { createProxyMetrics } from "../metrics/proxy-metrics.ts";
import { CurrentSnapshot } from "../snapshot/current.ts";
import { ALIAS_CHAINS, createProxyFixture, REGION, type ProxyFixture } from "../testing/proxy-fixture.ts";
import { listModels, retrieveModel } from "./models.ts";

/** The fixture's tenant under an org that allows only the EU and not `strict`; `broken` runs only in the US. */
const residencyTree = (s: Snapshot) => {
  s.tenants.ten_org = { id: "ten_org", name: "org", status: "active", parentId: null, allowedJurisdictions: ["eu"], allowedAliases: Object.keys(ALIAS_CHAINS).filter((n) => n !== "strict") };
  s.tenants.ten_a = { ...s.tenants.ten_a!, parentId: "ten_org" };
  for (const d of Object.values(s.deployments)) d.jurisdiction = "eu";
  s.deployments.dep_error500!.jurisdiction = "us";
  s.deployments.dep_extra = { ...s.deployments.dep_echo1!, id: "dep_extra", jurisdiction: "us" };
  s.aliases.broken = { name: "broken", chain: ["dep_extra"] };
};

let fx: ProxyFixture;
let proxy: RunningProxy;
beforeAll(async () => {
  fx = await createProxyFixture();
  await fx.publish(fx.snapshot(1, residencyTree));
  proxy = await fx.startProxy();
});
afterAll(() => fx.cleanup());

const get = (path: string, key: string) => fetch(`${proxy.url}${path}`, { headers: { authorization: `Bearer ${key}` } });

for (const keyName of ["main", "limited"] as const) {
  test(`${keyName} key: retrieve answers each alias as the list does`, async () => {
    const key = fx.keys[keyName];
    const list = (await (await get("/v1/models", key)).json()) as { data: { id: string }[] };
    const listed = new Map(list.data.map((m) => [m.id, m]));
    // The cases are all there: allowed, refused by the key or the tenant tree, not servable here.
    expect(listed.has("chat")).toBe(true);
    expect(listed.has("strict")).toBe(false);
    expect(listed.has("broken")).toBe(false);
    if (keyName === "main") expect(listed.has("fallback")).toBe(true);
    else expect(listed.has("fallback")).toBe(false);
    for (const id of [...Object.keys(ALIAS_CHAINS), "no-such-model"]) {
      const response = await get(`/v1/models/${encodeURIComponent(id)}`, key);
      if (listed.has(id)) {
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual(listed.get(id)!);
      } else {
        expect(response.status).toBe(404);
        expect(((await response.json()) as { error: { code: string } }).error.code).toBe("model_not_found");
      }
    }
  });
}

test("retrieve evaluates only the alias asked about", async () => {
  const secret = newGatewayKey();
  const base = fx.snapshot(1, residencyTree);
  base.keys = { [hashSecret(secret)]: { id: "key_x", tenantId: "ten_a", name: "x", status: "active", expiresAt: null, allowedAliases: null } };
  base.tenants.ten_org!.allowedAliases = null;
  for (let i = 0; i < 500; i++) base.aliases[`alias-${i}`] = { name: `alias-${i}`, chain: ["dep_echo1"] };
  const touched = new Set<string>();
  const watch = <T extends object>(target: T): T =>
    new Proxy(target, {
      get: (t, p, r) => (typeof p === "string" && touched.add(p), Reflect.get(t, p, r)),
      has: (t, p) => (typeof p === "string" && touched.add(p), Reflect.has(t, p)),
      getOwnPropertyDescriptor: (t, p) => (typeof p === "string" && touched.add(p), Reflect.getOwnPropertyDescriptor(t, p)),
    });
  const snapshot = { ...base, aliases: watch(base.aliases) };
  const current = new CurrentSnapshot();
  current.swap(snapshot, "");
  const deps = { region: REGION, current, metrics: createProxyMetrics() } as unknown as ProxyDeps;
  const request = (path: string) => new Request(`http://proxy${path}`, { headers: { authorization: `Bearer ${secret}` } });

  touched.clear();
  const one = retrieveModel(request("/v1/models/alias-7"), "req_1", deps, "/v1/models/alias-7");
  expect(one.status).toBe(200);
  expect([...touched]).toEqual(["alias-7"]);

  touched.clear();
  expect(retrieveModel(request("/v1/models/broken"), "req_2", deps, "/v1/models/broken").status).toBe(404);
  expect([...touched]).toEqual(["broken"]);

  // The list, by contrast, judges every alias (the watch sees them).
  touched.clear();
  expect(listModels(request("/v1/models"), "req_3", deps).status).toBe(200);
  expect(touched.size).toBeGreaterThan(500);
});
