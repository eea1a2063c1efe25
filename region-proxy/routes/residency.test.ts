import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { hashSecret, newGatewayKey } from "../../shared/ids.ts";
import { startFakeOpenAI, type FakeOpenAI } from "../../test/fakes/openai.ts";
import type { RunningProxy } from "../main.ts";
import { effectiveJurisdictions } from "../pipeline/residency.ts";
import { createProxyFixture, REGION, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";

// The fixture proxy serves region "eu" with EU deployments; a tenant whose data must stay in the US
// is refused there, and health data (X-Data-Class: phi) only ever reaches deployments flagged baa.
let fx: ProxyFixture;
let vendor: FakeOpenAI;
let proxy: RunningProxy;
const usKey = newGatewayKey();
const childKey = newGatewayKey();

beforeAll(async () => {
  fx = await createProxyFixture();
  vendor = await startFakeOpenAI({ apiKey: "sk-openai-fake" });
  await fx.publish(
    fx.snapshot(1, (s) => {
      const dep = (id: string, model: string, extra: object) => ({ id, provider: "openai" as const, baseUrl: `${vendor.url}/v1`, model, region: REGION, credentialRef: "env:OPENAI_KEY", jurisdiction: "eu", ...extra });
      s.deployments.dep_baa = dep("dep_baa", "baa-1", { flags: ["baa"] });
      s.deployments.dep_plain = dep("dep_plain", "plain-1", {});
      s.aliases.health = { name: "health", chain: ["dep_baa", "dep_plain"] };
      s.tenants.ten_us = { id: "ten_us", name: "US only", status: "active", allowedJurisdictions: ["us"] };
      s.tenants.ten_parent = { id: "ten_parent", name: "EU+US org", status: "active", allowedJurisdictions: ["eu", "us"] };
      s.tenants.ten_child = { id: "ten_child", name: "EU team", status: "active", parentId: "ten_parent", allowedJurisdictions: ["eu"] };
      const key = (id: string, tenantId: string) => ({ id, tenantId, name: id, status: "active" as const, expiresAt: null, allowedAliases: null });
      s.keys[hashSecret(usKey)] = key("key_us", "ten_us");
      s.keys[hashSecret(childKey)] = key("key_child", "ten_child");
      s.regionDirectory = { eu: { jurisdictions: ["eu"], publicUrl: "https://eu.gw.example" }, us: { jurisdictions: ["us"], publicUrl: "https://us.gw.example" } };
    }),
  );
  proxy = await fx.startProxy({ credentials: { OPENAI_KEY: "sk-openai-fake" } });
});
afterAll(async () => {
  await fx.cleanup();
  await vendor.stop();
});

const messages = [{ role: "user" as const, content: "my lab results" }];

describe("residency", () => {
  test("a US-resident tenant on the EU proxy → 403 residency_violation naming us and its endpoint; no vendor call", async () => {
    const before = vendor.calls();
    const error = await fx.client(proxy, usKey).chat.completions.create({ model: "health", messages }).catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(error.code).toBe("residency_violation");
    expect(error.message).toContain("region us (https://us.gw.example)");
    expect(vendor.calls()).toBe(before);
    // The visibility headers every answer carries: this region, no vendor call, no fallback.
    expect(error.headers.get("x-gateway-region")).toBe(REGION);
    expect(error.headers.get("x-gateway-attempts")).toBe("0");
    expect(error.headers.get("x-gateway-fallback")).toBe("false");
    expect(error.headers.get("x-request-id")).toBeTruthy();
  });

  test("/v1/models lists only the aliases this region can serve the tenant under its residency rule", async () => {
    const ids = async (key: string) => (await fx.client(proxy, key).models.list()).data.map((m) => m.id);
    expect(await ids(usKey)).not.toContain("health");
    expect(await ids(childKey)).toContain("health");
    // A tenant without a rule sees every alias its key allows.
    expect(await ids(fx.keys.main)).toEqual(expect.arrayContaining(["health", "chat"]));
  });

  test("a child tenant is held to the intersection of its chain and is served in eu", async () => {
    const { response } = await fx.client(proxy, childKey).chat.completions.create({ model: "health", messages }).withResponse();
    expect(response.headers.get("x-gateway-model")).toBe("baa-1");
  });

  test("phi never reaches a deployment without baa, even when every baa deployment is down", async () => {
    vendor.setOutage("baa-1", 503);
    try {
      const plainBefore = vendor.callsFor("plain-1");
      const error = await fx.client(proxy).chat.completions.create({ model: "health", messages }, { headers: { "x-data-class": "phi" } }).catch((e) => e);
      expect(error.status).toBe(502);
      expect(vendor.callsFor("plain-1")).toBe(plainBefore);
      expect(vendor.callsFor("baa-1")).toBeGreaterThan(0);
      // Without the data class the same chain falls back to the plain deployment.
      const { response } = await fx.client(proxy).chat.completions.create({ model: "health", messages }).withResponse();
      expect(response.headers.get("x-gateway-model")).toBe("plain-1");
      expect(response.headers.get("x-gateway-fallback")).toBe("true");
      expect(vendor.callsFor("plain-1")).toBe(plainBefore + 1);
    } finally {
      vendor.setOutage("baa-1", null);
    }
  });

  test("phi on an alias without any baa deployment → 403 residency_violation", async () => {
    const error = await fx.client(proxy).chat.completions.create({ model: "chat", messages }, { headers: { "x-data-class": "phi" } }).catch((e) => e);
    expect(error.status).toBe(403);
    expect(error.code).toBe("residency_violation");
    expect(error.message).toContain("baa");
  });

  test("an unknown or malformed data class → 400 naming the header", async () => {
    for (const value of ["secret-sauce", "PHI", "a".repeat(33)]) {
      const error = await fx.client(proxy).chat.completions.create({ model: "chat", messages }, { headers: { "x-data-class": value } }).catch((e) => e);
      expect(error.status).toBe(400);
      expect(error.param).toBe("x-data-class");
    }
  });

  test("effective jurisdictions are the intersection along parentId, cycle-safe", () => {
    const tenants = {
      a: { id: "a", name: "a", status: "active" as const, allowedJurisdictions: ["eu", "us"] },
      b: { id: "b", name: "b", status: "active" as const, parentId: "a", allowedJurisdictions: null },
      c: { id: "c", name: "c", status: "active" as const, parentId: "b", allowedJurisdictions: ["us", "uk"] },
      x: { id: "x", name: "x", status: "active" as const, parentId: "y" },
      y: { id: "y", name: "y", status: "active" as const, parentId: "x" },
    };
    expect(effectiveJurisdictions(tenants.c, tenants)).toEqual(["us"]);
    expect(effectiveJurisdictions(tenants.b, tenants)).toEqual(["eu", "us"]);
    expect(effectiveJurisdictions(tenants.x, tenants)).toBeNull();
  });

  test("the usage event records the attempt trail of a phi request that failed", async () => {
    vendor.setOutage("baa-1", 500);
    try {
      const error = await fx.client(proxy).chat.completions.create({ model: "health", messages }, { headers: { "x-data-class": "phi" } }).catch((e) => e);
      const id = error.headers.get("x-request-id");
      await waitFor(() => fx.origin.events().some((e) => e.requestId === id), "event");
      const event = fx.origin.events().find((e) => e.requestId === id)!;
      // At least one step, and only on the baa deployment: never dep_plain. How many steps depends on the
      // breaker the test before left open (one circuit_open skip) or not (its calls and their retries).
      expect([...new Set(event.attemptTrail!.map((s) => s.deploymentId))]).toEqual(["dep_baa"]);
      expect(event.status).toBe("error");
    } finally {
      vendor.setOutage("baa-1", null);
    }
  });
});
