/**
 * Test wiring for proxy tests: a real echo vendor, a snapshot origin speaking the internal API, a
 * signing key, a snapshot with one alias per behaviour, and proxies on port 0 with a temp data dir.
 * Only the vendor is fake.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { hashSecret, newGatewayKey, newToken } from "../../shared/ids.ts";
import { generateSigningKey, signSnapshot, type SigningKey } from "../../shared/snapshot/sign.ts";
import type { Snapshot, SnapshotDeployment } from "../../shared/snapshot/schema.ts";
import { startEchoVendor, type EchoVendor } from "../../infra/echo-vendor/server.ts";
import { startSnapshotOrigin, type SnapshotOrigin } from "../../test/support/snapshot-origin.ts";
import { startProxy, type ProxyConfig, type ProxyExtras, type RunningProxy } from "../main.ts";

export const REGION = "eu";
const VENDOR_KEY = "sk-echo-test";

/** Every alias the base snapshot has, and the vendor models behind it. */
export const ALIAS_CHAINS: Record<string, string[]> = {
  chat: ["echo-1"],
  fallback: ["error-500", "echo-1"],
  broken: ["error-500"],
  strict: ["error-400", "echo-1"],
  ratelimited: ["error-429", "echo-1"],
  hang: ["hang"],
  slow: ["slow"],
  garbage: ["garbage"],
  drop: ["drop"],
  nocred: ["nocred:echo-1", "echo-1"],
};

export const PRICE = { input: 1_000_000, output: 2_000_000 }; // 1 and 2 micro-USD per token

export interface ProxyFixture {
  vendor: EchoVendor;
  origin: SnapshotOrigin;
  signing: SigningKey;
  regionToken: string;
  dataDir: string;
  keys: { main: string; limited: string; revoked: string; expired: string; disabledTenant: string };
  /** The base snapshot at a version, optionally changed. */
  snapshot(version: number, change?: (s: Snapshot) => void): Snapshot;
  /** Signs and publishes at the origin; returns the JWS. */
  publish(snapshot: Snapshot, key?: SigningKey): Promise<string>;
  /** A new empty data directory (removed at cleanup), for a proxy that must not share `dataDir`. */
  freshDataDir(): string;
  proxyConfig(overrides?: Partial<ProxyConfig>): ProxyConfig;
  startProxy(overrides?: Partial<ProxyConfig>, extras?: ProxyExtras): Promise<RunningProxy>;
  client(proxy: RunningProxy, key?: string, options?: Partial<ConstructorParameters<typeof OpenAI>[0]>): OpenAI;
  logs: string[];
  cleanup(): Promise<void>;
}

export async function createProxyFixture(): Promise<ProxyFixture> {
  const vendor = await startEchoVendor({ port: 0, apiKey: VENDOR_KEY });
  const regionToken = newToken("reg");
  const origin = await startSnapshotOrigin({ regionTokens: { [regionToken]: REGION } });
  const { key: signing } = await generateSigningKey("test-key-1");
  const dataDir = mkdtempSync(join(tmpdir(), "proxy-test-"));
  const keys = { main: newGatewayKey(), limited: newGatewayKey(), revoked: newGatewayKey(), expired: newGatewayKey(), disabledTenant: newGatewayKey() };
  const proxies: RunningProxy[] = [];
  const logs: string[] = [];

  const snapshot = (version: number, change?: (s: Snapshot) => void): Snapshot => {
    const deployments: Record<string, SnapshotDeployment> = {};
    const aliases: Snapshot["aliases"] = {};
    for (const [name, models] of Object.entries(ALIAS_CHAINS)) {
      aliases[name] = { name, chain: [] };
      for (const entry of models) {
        const nocred = entry.startsWith("nocred:");
        const model = nocred ? entry.slice(7) : entry;
        const id = `dep_${nocred ? "nocred_" : ""}${model.replace(/[^a-z0-9]/g, "")}`;
        deployments[id] = { id, provider: "openai", baseUrl: `${vendor.url}/v1`, model, region: REGION, credentialRef: nocred ? "env:NOT_SET_ANYWHERE" : "env:ECHO_KEY" };
        aliases[name]!.chain.push(id);
      }
    }
    const key = (id: string, tenantId: string, extra: Partial<Snapshot["keys"][string]> = {}) => ({ id, tenantId, name: id, status: "active" as const, expiresAt: null, allowedAliases: null, ...extra });
    const s: Snapshot = {
      schema: 1,
      region: REGION,
      version,
      issuedAt: new Date().toISOString(),
      keys: {
        [hashSecret(keys.main)]: key("key_main", "ten_a"),
        [hashSecret(keys.limited)]: key("key_limited", "ten_a", { allowedAliases: ["chat"] }),
        [hashSecret(keys.revoked)]: key("key_revoked", "ten_a", { status: "revoked" }),
        [hashSecret(keys.expired)]: key("key_expired", "ten_a", { expiresAt: "2020-01-01T00:00:00Z" }),
        [hashSecret(keys.disabledTenant)]: key("key_off", "ten_off"),
      },
      tenants: { ten_a: { id: "ten_a", name: "A", status: "active" }, ten_off: { id: "ten_off", name: "Off", status: "disabled" } },
      aliases,
      deployments,
      pricing: { "openai:echo-1": PRICE },
    };
    change?.(s);
    return s;
  };

  const proxyConfig = (overrides: Partial<ProxyConfig> = {}): ProxyConfig => ({
    region: REGION,
    controlPlaneUrl: origin.url,
    regionToken,
    trustedJwks: { keys: [signing.publicJwk] },
    dataDir,
    port: 0,
    snapshotPollMs: 100,
    usageFlushMs: 100,
    firstByteTimeoutMs: 2_000,
    totalTimeoutMs: 10_000,
    shutdownGraceMs: 5_000,
    credentials: { ECHO_KEY: VENDOR_KEY },
    log: (line) => void logs.push(line),
    ...overrides,
  });

  return {
    vendor,
    origin,
    signing,
    regionToken,
    dataDir,
    keys,
    snapshot,
    logs,
    async publish(s, key = signing) {
      const jws = await signSnapshot(s, key);
      origin.publish(s.region, jws, s.version);
      return jws;
    },
    freshDataDir: () => mkdtempSync(join(dataDir, "proxy-")),
    proxyConfig,
    async startProxy(overrides, extras) {
      const proxy = await startProxy(proxyConfig(overrides), extras);
      proxies.push(proxy);
      return proxy;
    },
    client: (proxy, key = keys.main, options = {}) => new OpenAI({ baseURL: `${proxy.url}/v1`, apiKey: key, maxRetries: 0, ...options }),
    async cleanup() {
      for (const proxy of proxies) await proxy.stop();
      await origin.stop();
      await vendor.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * A fixture with the base snapshot published as version 1 and one proxy started on it (`overrides`
 * its config): where a test file that needs no other snapshot begins. Cleaned up if the start fails.
 *
 * @example beforeAll(async () => { ({ fx, proxy } = await startProxyOnBaseSnapshot()); }); afterAll(() => fx?.cleanup());
 */
export async function startProxyOnBaseSnapshot(overrides?: Partial<ProxyConfig>): Promise<{ fx: ProxyFixture; proxy: RunningProxy }> {
  const fx = await createProxyFixture();
  try {
    await fx.publish(fx.snapshot(1));
    return { fx, proxy: await fx.startProxy(overrides) };
  } catch (error) {
    await fx.cleanup();
    throw error;
  }
}

/** Polls until `check` is true (or fails after timeoutMs with the message). */
export { waitFor } from "./wait-for.ts";
