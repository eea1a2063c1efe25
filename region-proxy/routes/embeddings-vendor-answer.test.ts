/**
 * An embeddings answer is checked before the client sees it, for OpenAI and Azure (which reads
 * OpenAI's answer): a vendor that answers fewer vectors than inputs, items the SDK cannot read, or
 * base64 the client did not ask for is a 502 upstream_invalid_response, as a garbled chat answer is,
 * never a short list the client takes for its result. Floats from a compatible server that ignores
 * `encoding_format` reach the official SDK (which asks for base64) as the vectors they are.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, REGION, type ProxyFixture } from "../testing/proxy-fixture.ts";

/** What the canned vendor answers for each model, whatever the path (OpenAI's or Azure's). */
const ANSWERS: Record<string, unknown> = {
  "no-vectors": { object: "list", data: [] },
  "one-vector": { object: "list", data: [{ object: "embedding", index: 0, embedding: [0.1] }] },
  "not-items": { object: "list", data: [1, "x"] },
  "same-index": { object: "list", data: [{ object: "embedding", index: 0, embedding: [0.1] }, { object: "embedding", index: 0, embedding: [0.2] }] },
  "string-values": { object: "list", data: [{ object: "embedding", index: 0, embedding: ["0.1"] }, { object: "embedding", index: 1, embedding: ["0.2"] }] },
  "floats-always": { object: "list", data: [{ object: "embedding", index: 1, embedding: [0.5, -0.25] }, { object: "embedding", index: 0, embedding: [0.25, 1] }] },
};
const BAD = ["no-vectors", "one-vector", "not-items", "same-index", "string-values"];

let vendor: ReturnType<typeof Bun.serve>;
let fx: ProxyFixture;
let proxy: RunningProxy;

beforeAll(async () => {
  vendor = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    async fetch(request) {
      const { model } = (await request.json()) as { model: string };
      return Response.json({ ...(ANSWERS[model] as object), model, usage: { prompt_tokens: 2, total_tokens: 2 } });
    },
  });
  fx = await createProxyFixture();
  await fx.publish(
    fx.snapshot(1, (s) => {
      for (const provider of ["openai", "azure"] as const) {
        for (const model of Object.keys(ANSWERS)) {
          const id = `dep_${provider}_${model.replace(/-/g, "")}`;
          s.deployments[id] = { id, provider, baseUrl: `http://127.0.0.1:${vendor.port}/v1`, model, region: REGION, credentialRef: "env:ECHO_KEY" };
          s.aliases[`${provider}-${model}`] = { name: `${provider}-${model}`, chain: [id] };
        }
      }
    }),
  );
  proxy = await fx.startProxy();
});
afterAll(async () => {
  await fx.cleanup();
  vendor.stop(true);
});

for (const provider of ["openai", "azure"]) {
  describe(provider, () => {
    for (const model of BAD) {
      test(`${model}: 502 upstream_invalid_response with the deployment's x-gateway headers`, async () => {
        const response = await fetch(`${proxy.url}/v1/embeddings`, {
          method: "POST",
          headers: { authorization: `Bearer ${fx.keys.main}`, "content-type": "application/json" },
          body: JSON.stringify({ model: `${provider}-${model}`, input: ["a", "b"], encoding_format: "float" }),
        });
        expect(response.status).toBe(502);
        expect(await response.json()).toEqual({ error: { message: "The model provider sent an invalid response.", type: "server_error", param: null, code: "upstream_invalid_response" } });
        expect(response.headers.get("x-gateway-provider")).toBe(provider);
        expect(response.headers.get("x-gateway-model")).toBe(model);
        expect(response.headers.get("x-gateway-region")).toBe(REGION);
        expect(Number(response.headers.get("x-gateway-attempts"))).toBeGreaterThanOrEqual(1);
      });
    }

    test("the official SDK raises on a short answer instead of returning fewer vectors than inputs", async () => {
      const error = await fx.client(proxy).embeddings.create({ model: `${provider}-no-vectors`, input: ["a", "b"] }).catch((e) => e);
      expect(error).toBeInstanceOf(OpenAI.InternalServerError);
      expect(error.status).toBe(502);
      expect(error.code).toBe("upstream_invalid_response");
    });

    test("floats from a server that ignores encoding_format reach the SDK (which asks base64) as the vectors, in input order", async () => {
      const { data, response } = await fx.client(proxy).embeddings.create({ model: `${provider}-floats-always`, input: ["a", "b"] }).withResponse();
      expect(response.status).toBe(200);
      expect(response.headers.get("x-gateway-provider")).toBe(provider);
      expect(data.data.map((d) => d.index)).toEqual([0, 1]);
      expect(data.data.map((d) => d.embedding)).toEqual([
        [0.25, 1],
        [0.5, -0.25],
      ]);
    });
  });
}
