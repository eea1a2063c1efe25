/**
 * A tenant whose residency rule this region cannot serve, asking for an alias deployed only in the
 * region its rule sends it to, gets 403 residency_violation naming that region, as it does for an
 * alias deployed in both (review rk K4): authorize answered 404 model_not_found before residency was
 * consulted, and /v1/embeddings answered 400 for an alias whose deployments here cannot embed although
 * another region embeds it under the rule. An alias the key or tenant may not use, one no region
 * serves under the rule, and any alias of a tenant without a rule still answer as before.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { APIError } from "openai";
import { hashSecret, newGatewayKey } from "../../shared/ids.ts";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, type ProxyFixture } from "../testing/proxy-fixture.ts";

let fx: ProxyFixture;
let proxy: RunningProxy;
const usKey = newGatewayKey();
const usKeyNoLlama = newGatewayKey();
const usKeyEuOnly = newGatewayKey();
const usTenantNoLlama = newGatewayKey();
const anyKey = newGatewayKey();
const embed = (traits: { jurisdiction: string; embeddings: boolean }) => [{ ...traits, flags: [] }];
beforeAll(async () => {
  fx = await createProxyFixture();
  await fx.publish(
    fx.snapshot(1, (s) => {
      for (const d of Object.values(s.deployments)) d.jurisdiction = "eu";
      // `claude` here can only chat (Anthropic has no embeddings); us embeds it.
      s.deployments.dep_claude = { id: "dep_claude", provider: "anthropic", baseUrl: "http://127.0.0.1:9/v1", model: "claude", region: "eu", credentialRef: "env:ECHO_KEY", jurisdiction: "eu" };
      s.aliases.claude = { name: "claude", chain: ["dep_claude"] };
      s.tenants.ten_us = { id: "ten_us", name: "US only", status: "active", allowedJurisdictions: ["us"] };
      s.tenants.ten_us_nollama = { id: "ten_us_nollama", name: "US only, no llama", status: "active", allowedJurisdictions: ["us"], allowedAliases: ["chat"] };
      s.tenants.ten_any = { id: "ten_any", name: "anywhere", status: "active" };
      const key = (id: string, tenantId: string, extra = {}) => ({ id, tenantId, name: id, status: "active" as const, expiresAt: null, allowedAliases: null, ...extra });
      s.keys[hashSecret(usKey)] = key("key_us", "ten_us");
      s.keys[hashSecret(usKeyNoLlama)] = key("key_us_nollama", "ten_us", { allowedAliases: ["chat"] });
      s.keys[hashSecret(usKeyEuOnly)] = key("key_us_euonly", "ten_us", { allowedRegions: ["eu"] });
      s.keys[hashSecret(usTenantNoLlama)] = key("key_us_tenant_nollama", "ten_us_nollama");
      s.keys[hashSecret(anyKey)] = key("key_any", "ten_any");
      s.regionDirectory = {
        eu: { jurisdictions: ["eu"], publicUrl: "https://eu.gw.example", aliases: { chat: embed({ jurisdiction: "eu", embeddings: true }), claude: embed({ jurisdiction: "eu", embeddings: false }) } },
        us: {
          jurisdictions: ["us"],
          publicUrl: "https://us.gw.example",
          aliases: {
            chat: embed({ jurisdiction: "us", embeddings: true }),
            "us-llama": embed({ jurisdiction: "us", embeddings: false }),
            "us-embed": embed({ jurisdiction: "us", embeddings: true }),
            claude: embed({ jurisdiction: "us", embeddings: true }),
          },
        },
      };
    }),
  );
  proxy = await fx.startProxy();
});
afterAll(() => fx.cleanup());

/** The refusal the SDK throws; a request that succeeds fails the test. */
const refusal = (call: Promise<unknown>): Promise<APIError> =>
  call.then(
    () => Promise.reject(new Error("expected a refusal")),
    (e: unknown) => (e instanceof APIError ? e : Promise.reject(e)),
  );
const chat = (key: string, model: string) => refusal(fx.client(proxy, key).chat.completions.create({ model, messages: [{ role: "user", content: "x" }] }));
const embeddings = (key: string, model: string) => refusal(fx.client(proxy, key).embeddings.create({ model, input: "x" }));
const answer = (e: APIError) => ({ status: e.status, code: e.code });

test("a us-only tenant on the eu proxy: an alias served only in us gets the same residency answer as one served in both", async () => {
  const both = await chat(usKey, "chat");
  expect(both.code).toBe("residency_violation");
  expect(both.message).toContain("https://us.gw.example");
  const usOnly = await chat(usKey, "us-llama");
  expect(answer(usOnly)).toEqual({ status: 403, code: "residency_violation" });
  expect(usOnly.message).toContain("Send this tenant's requests to region us (https://us.gw.example).");
});

test("embeddings: only a region that embeds the alias under the rule turns model_not_found into residency_violation", async () => {
  const served = await embeddings(usKey, "us-embed");
  expect(answer(served)).toEqual({ status: 403, code: "residency_violation" });
  expect(served.message).toContain("https://us.gw.example");
  // us has us-llama, but cannot embed it.
  expect(answer(await embeddings(usKey, "us-llama"))).toEqual({ status: 404, code: "model_not_found" });
});

test("embeddings of an alias whose deployments here cannot embed, embedded in us under the rule: residency_violation, not 400", async () => {
  const refused = await embeddings(usKey, "claude");
  expect(answer(refused)).toEqual({ status: 403, code: "residency_violation" });
  expect(refused.message).toContain("Send this tenant's requests to region us (https://us.gw.example).");
  // A tenant without a rule is not refused for residency: the alias cannot embed here, as before.
  expect(answer(await embeddings(anyKey, "claude"))).toEqual({ status: 400, code: "invalid_value" });
});

test("an alias the key or tenant may not use, or no region serves, is not told apart from one that does not exist", async () => {
  const notFound = await chat(usKey, "no-such-alias");
  expect(answer(notFound)).toEqual({ status: 404, code: "model_not_found" });
  for (const key of [usKeyNoLlama, usTenantNoLlama]) {
    const refused = await chat(key, "us-llama");
    expect(answer(refused)).toEqual({ status: 404, code: "model_not_found" });
    expect(refused.message).toBe(notFound.message.replace("no-such-alias", "us-llama"));
  }
  // No rule, so no residency answer: the alias is simply not deployed here.
  expect(answer(await chat(anyKey, "us-llama"))).toEqual({ status: 404, code: "model_not_found" });
});

test("a key not published in us is told so, not sent there, whether the alias is deployed here or not (review rk K3)", async () => {
  for (const refused of [await chat(usKeyEuOnly, "us-llama"), await chat(usKeyEuOnly, "chat"), await embeddings(usKeyEuOnly, "chat"), await embeddings(usKeyEuOnly, "claude")]) {
    expect(answer(refused)).toEqual({ status: 403, code: "residency_violation" });
    expect(refused.message).not.toContain("https://us.gw.example");
    expect(refused.message).toContain("This API key is not valid in any region that could serve this tenant (us)");
  }
});
