/**
 * One vendor's fake behind a real proxy, for the SDK-level tests of one adapter: each alias is one
 * deployment of the fake serving the vendor model it names, and `client` is the official SDK pointed
 * at the proxy. Only the vendor is fake.
 *
 * @example const { client, fake, stop } = await startVendorBehindProxy({ provider: "gemini", start: startFakeGemini }, { gemini: "gemini-fake" })
 */
import { expect } from "bun:test";
import type OpenAI from "openai";
import { APIError } from "openai";
import type { ProviderKind } from "../../shared/snapshot/schema.ts";
import type { FakeVendor } from "../../test/fakes/fake-server.ts";
import type { ProxyConfig, RunningProxy } from "../main.ts";
import { createProxyFixture, REGION, type ProxyFixture } from "./proxy-fixture.ts";

export interface VendorBehindProxy<F extends FakeVendor = FakeVendor> {
  fx: ProxyFixture;
  fake: F;
  proxy: RunningProxy;
  client: OpenAI;
  stop(): Promise<void>;
}

const VENDOR_KEY = "vendor-fake-key";

export async function startVendorBehindProxy<F extends FakeVendor>(
  vendor: { provider: ProviderKind; start: (options: { apiKey: string }) => Promise<F>; baseUrl?: (fake: F) => string },
  aliases: Record<string, string>,
  proxyConfig: Partial<ProxyConfig> = {},
): Promise<VendorBehindProxy<F>> {
  const fx = await createProxyFixture();
  const fake = await vendor.start({ apiKey: VENDOR_KEY });
  await fx.publish(
    fx.snapshot(1, (s) => {
      for (const [alias, model] of Object.entries(aliases)) {
        const id = `dep_${alias}`;
        s.deployments[id] = { id, provider: vendor.provider, baseUrl: vendor.baseUrl?.(fake) ?? fake.url, model, region: REGION, credentialRef: "env:VENDOR_KEY" };
        s.aliases[alias] = { name: alias, chain: [id] };
      }
    }),
  );
  const proxy = await fx.startProxy({ ...proxyConfig, credentials: { VENDOR_KEY } });
  return {
    fx,
    fake,
    proxy,
    client: fx.client(proxy),
    async stop() {
      await fx.cleanup();
      await fake.stop();
    },
  };
}

/**
 * One chat request through the proxy, as an adapter's SDK-level tests read it: refused with a 400,
 * it comes back as the `param` the error names, and the fake is checked not to have been called; any
 * other failure is thrown; answered, it comes back with the body the fake received.
 *
 * @example expect((await sendChat(vp, { model: "gemini", messages, top_k: 5 })).param).toBe("top_k");
 */
export async function sendChat(vendor: Pick<VendorBehindProxy, "client" | "fake">, body: Record<string, unknown>): Promise<{ refused: boolean; param: string | null; sent: any }> {
  const before = vendor.fake.calls();
  const outcome = await vendor.client.chat.completions.create(body as unknown as OpenAI.ChatCompletionCreateParamsNonStreaming).then(
    () => null,
    (error: unknown) => error,
  );
  if (outcome instanceof APIError && outcome.status === 400) {
    expect(vendor.fake.calls()).toBe(before);
    return { refused: true, param: outcome.param ?? null, sent: null };
  }
  if (outcome) throw outcome;
  expect(vendor.fake.calls()).toBe(before + 1);
  return { refused: false, param: null, sent: vendor.fake.lastRequest()!.body };
}
