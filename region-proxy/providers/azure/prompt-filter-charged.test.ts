/**
 * Azure bills a prompt its content filter refuses: "When content filtering is triggered for a prompt
 * and a "status": 400 is received as part of the response there will be a charge for this request as
 * the prompt was evaluated by the service" (learn.microsoft.com .../openai/concepts/content-filter,
 * and content-streaming's "Status 400 (prompt filtered): Billed for prompt evaluation"). The gateway
 * must charge that call its prompt estimate (as it charges calls it got and never answered), or a
 * tenant can spend Azure money past its budget with filtered prompts, unbilled.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { APIError } from "openai";
import { startFakeAzure } from "../../../test/fakes/azure.ts";
import type { FakeVendor } from "../../../test/fakes/fake-server.ts";
import { REGION } from "../../testing/proxy-fixture.ts";
import { useVendorProxy } from "../testing/use-vendor-proxy.ts";

let azure: FakeVendor;
beforeAll(async () => {
  azure = await startFakeAzure({ apiKey: "azure-fake-key" });
});
afterAll(async () => {
  await azure?.stop();
});
const PRICE = { input: 1_000_000, output: 2_000_000 };
const t = useVendorProxy({
  proxy: { credentials: { AZURE_KEY: "azure-fake-key" } },
  configure(s) {
    for (const [id, model] of [["dep_cf", "content-filter"], ["dep_cfs", "stream-error-content-filter"]] as const) {
      s.deployments[id] = { id, provider: "azure", baseUrl: azure.url, model, region: REGION, credentialRef: "env:AZURE_KEY" };
      s.pricing[`azure:${model}`] = PRICE;
    }
    s.aliases.cf = { name: "cf", chain: ["dep_cf"] };
    s.aliases.cfs = { name: "cfs", chain: ["dep_cfs"] };
  },
});
const messages = [{ role: "user" as const, content: "a long prompt that Azure's content filter refuses ".repeat(40) }];

for (const [alias, stream] of [["cf", false], ["cfs", true]] as const) {
  test(`${alias} (stream ${stream}): the prompt Azure refused with 400 content_filter is charged`, async () => {
    let error: unknown = null;
    try {
      const res: unknown = await t.fx.client(t.proxy).chat.completions.create({ model: alias, messages, stream } as never);
      if (stream) for await (const _ of res as AsyncIterable<unknown>) void _;
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).code).toBe("content_filter");
    const event = await t.usageEvent((error as APIError).headers?.get("x-request-id"));
    expect(event.errorCode).toBe("content_filter");
    // Azure billed the prompt evaluation: the event must carry it.
    expect(event.usage.inputTokens).toBeGreaterThan(0);
    expect(event.costMicros).toBeGreaterThan(0);
  });
}
