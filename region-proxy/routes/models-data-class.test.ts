/**
 * GET /v1/models (and /v1/models/{id}) judge X-Data-Class as chat does: a client listing models for its
 * phi traffic is shown only aliases with a baa deployment (review rk #5: the rule was built with no data
 * class, so every alias was listed and each answered phi calls 403 residency_violation), and an
 * unknown class is refused 400 there as on chat and embeddings.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, type ProxyFixture } from "../testing/proxy-fixture.ts";

let fx: ProxyFixture;
let proxy: RunningProxy;
beforeAll(async () => {
  fx = await createProxyFixture();
  await fx.publish(
    fx.snapshot(1, (s) => {
      for (const d of Object.values(s.deployments)) d.jurisdiction = "eu";
      s.deployments.dep_echo1 = { ...s.deployments.dep_echo1!, flags: [] };
      s.deployments.dep_baa = { ...s.deployments.dep_echo1!, id: "dep_baa", flags: ["baa"] };
      s.aliases.health = { name: "health", chain: ["dep_baa"] };
    }),
  );
  proxy = await fx.startProxy();
});
afterAll(() => fx.cleanup());

test("phi: /v1/models lists only aliases a phi request can be routed to", async () => {
  const chat = await fx.client(proxy).chat.completions.create({ model: "chat", messages: [{ role: "user", content: "x" }] }, { headers: { "x-data-class": "phi" } }).catch((e) => e);
  expect(chat.code).toBe("residency_violation");
  const listed = (await fx.client(proxy).models.list({ headers: { "x-data-class": "phi" } })).data.map((m) => m.id);
  expect(listed).toContain("health");
  expect(listed).not.toContain("chat");
  const retrieve = (id: string) => fetch(`${proxy.url}/v1/models/${id}`, { headers: { authorization: `Bearer ${fx.keys.main}`, "x-data-class": "phi" } });
  expect([(await retrieve("health")).status, (await retrieve("chat")).status]).toEqual([200, 404]);
  // Without a data class, both are listed as before.
  const plain = (await fx.client(proxy).models.list()).data.map((m) => m.id);
  expect(plain).toEqual(expect.arrayContaining(["health", "chat"]));
});

test("an unknown X-Data-Class on /v1/models is refused as on chat", async () => {
  const response = await fetch(`${proxy.url}/v1/models`, { headers: { authorization: `Bearer ${fx.keys.main}`, "x-data-class": "secret-sauce" } });
  expect(response.status).toBe(400);
});
