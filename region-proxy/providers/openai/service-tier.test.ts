/**
 * service_tier through a real proxy to the OpenAI and Azure fakes, read through the official SDK. The
 * gateway prices every request at the deployment's one (standard) price: a tier billed otherwise
 * (`priority` costs more, `flex` less) would make the spend record wrong, so only `auto` and
 * `default` pass; any other tier is a 400 naming service_tier, before any vendor call.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type OpenAI from "openai";
import { startFakeAzure } from "../../../test/fakes/azure.ts";
import type { FakeVendor } from "../../../test/fakes/fake-server.ts";
import { startFakeOpenAI } from "../../../test/fakes/openai.ts";
import { refused } from "../../testing/sdk-requests.suite.ts";
import { startVendorBehindProxy, type VendorBehindProxy } from "../../testing/vendor-behind-proxy.ts";

const vendors: Record<string, VendorBehindProxy<FakeVendor>> = {};
beforeAll(async () => {
  vendors.openai = await startVendorBehindProxy({ provider: "openai", start: startFakeOpenAI, baseUrl: (fake) => `${fake.url}/v1` }, { chat: "gpt-4o-mini" });
  vendors.azure = await startVendorBehindProxy({ provider: "azure", start: startFakeAzure }, { chat: "gpt-4o-deployment" });
});
afterAll(() => Promise.all(Object.values(vendors).map((v) => v.stop())));

for (const provider of ["openai", "azure"]) {
  describe(`${provider} through the proxy`, () => {
    for (const tier of ["priority", "flex", "scale", "PRIORITY", 3]) {
      test(`service_tier ${JSON.stringify(tier)} is a 400 naming it, without a vendor call`, async () => {
        const { client, fake } = vendors[provider]!;
        const before = fake.calls();
        const error = await refused(client, { model: "chat", messages: [{ role: "user", content: "hi" }], service_tier: tier } as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming);
        expect(error.status).toBe(400);
        expect(error.param).toBe("service_tier");
        expect(fake.calls()).toBe(before);
      });
    }

    test("service_tier auto or default reaches the vendor as sent; null or none sends no tier", async () => {
      const { client, fake } = vendors[provider]!;
      for (const tier of ["auto", "default", null, undefined] as const) {
        const answer = await client.chat.completions.create({ model: "chat", messages: [{ role: "user", content: "hi" }], ...(tier === undefined ? {} : { service_tier: tier }) });
        expect(answer.choices[0]!.message.role).toBe("assistant");
        const sent = (fake.lastRequest()!.body as { service_tier?: unknown }).service_tier;
        expect(sent ?? null).toBe(tier ?? null);
      }
    });
  });
}
