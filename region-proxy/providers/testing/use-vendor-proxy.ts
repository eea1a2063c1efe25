/**
 * A provider test file's proxy in front of fake vendors, for the whole file: the proxy fixture (its
 * echo OpenAI vendor and snapshot origin), the fake Anthropic and Gemini (test/fakes) it asks for, the
 * base snapshot with what `configure` adds, and a proxy that holds every fake's credential; registers
 * its own beforeAll/afterAll. Its fields are set once beforeAll has run.
 *
 * @example const t = useVendorProxy({ fakes: ["gemini"], configure(s) {
 *            s.deployments.dep_g = fakeDeployment("dep_g", "gemini", t.gemini.url, "gemini-fake");
 *            s.aliases.g = { name: "g", chain: ["dep_g"] };
 *          } });
 *          test("...", async () => { await t.fx.client(t.proxy).chat.completions.create({ model: "g", messages }); });
 */
import { afterAll, beforeAll } from "bun:test";
import type { Snapshot, SnapshotDeployment } from "../../../shared/snapshot/schema.ts";
import type { UsageEvent } from "../../../shared/usage/usage-event.ts";
import { startFakeAnthropic } from "../../../test/fakes/anthropic.ts";
import type { FakeVendor } from "../../../test/fakes/fake-server.ts";
import { startFakeGemini } from "../../../test/fakes/gemini.ts";
import type { ProxyConfig, RunningProxy } from "../../main.ts";
import { createProxyFixture, REGION, waitFor, type ProxyFixture } from "../../testing/proxy-fixture.ts";

/** The key each fake accepts, under the name a deployment's credentialRef gives it. */
const CREDENTIALS = { ECHO_KEY: "sk-echo-test", ANTHROPIC_KEY: "sk-ant-fake", GEMINI_KEY: "gm-fake" };
const CREDENTIAL_OF: Record<SnapshotDeployment["provider"], keyof typeof CREDENTIALS> = { openai: "ECHO_KEY", azure: "ECHO_KEY", anthropic: "ANTHROPIC_KEY", gemini: "GEMINI_KEY" };

export interface VendorProxy {
  fx: ProxyFixture;
  proxy: RunningProxy;
  /** Started when `fakes` names it. */
  anthropic: FakeVendor;
  /** Started when `fakes` names it. */
  gemini: FakeVendor;
  /** Sends a chat completion body as raw JSON with the main key, for bodies the SDK would not send
   * (a field of the wrong type, a null) or a stream read by hand. */
  post(body: Record<string, unknown>, signal?: AbortSignal): Promise<Response>;
  /** The usage event the proxy shipped for a request (by its x-request-id), once it has arrived. */
  usageEvent(requestId: string | null | undefined): Promise<UsageEvent>;
}

export interface VendorProxyOptions {
  fakes?: ("anthropic" | "gemini")[];
  /** Adds the file's deployments (fakeDeployment), aliases and prices to the base snapshot. */
  configure(s: Snapshot): void;
  /** The proxy's config, over the fixture's (credentials are added to the fakes'). */
  proxy?: Partial<ProxyConfig>;
}

/** A deployment of `model` at `baseUrl`, with the credential useVendorProxy's proxy holds for `provider`. */
export function fakeDeployment(id: string, provider: SnapshotDeployment["provider"], baseUrl: string, model: string): SnapshotDeployment {
  return { id, provider, baseUrl, model, region: REGION, credentialRef: `env:${CREDENTIAL_OF[provider]}` };
}

export function useVendorProxy(options: VendorProxyOptions): VendorProxy {
  const t = {
    post(body: Record<string, unknown>, signal?: AbortSignal) {
      return fetch(`${t.proxy.url}/v1/chat/completions`, {
        method: "POST",
        headers: { authorization: `Bearer ${t.fx.keys.main}`, "content-type": "application/json" },
        body: JSON.stringify(body),
        signal,
      });
    },
    async usageEvent(requestId: string | null | undefined) {
      await waitFor(() => t.fx.origin.events().some((e) => e.requestId === requestId), `the usage event of ${requestId}`);
      return t.fx.origin.events().find((e) => e.requestId === requestId)!;
    },
  } as VendorProxy;
  beforeAll(async () => {
    t.fx = await createProxyFixture();
    if (options.fakes?.includes("anthropic")) t.anthropic = await startFakeAnthropic({ apiKey: CREDENTIALS.ANTHROPIC_KEY });
    if (options.fakes?.includes("gemini")) t.gemini = await startFakeGemini({ apiKey: CREDENTIALS.GEMINI_KEY });
    await t.fx.publish(t.fx.snapshot(1, options.configure));
    t.proxy = await t.fx.startProxy({ ...options.proxy, credentials: { ...CREDENTIALS, ...options.proxy?.credentials } });
  });
  afterAll(async () => {
    await t.fx?.cleanup();
    await t.anthropic?.stop();
    await t.gemini?.stop();
  });
  return t;
}
