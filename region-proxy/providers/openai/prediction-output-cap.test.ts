/**
 * Predicted outputs cannot be combined with max_completion_tokens (Azure's "Predicted outputs" page,
 * Unsupported features, for the API it shares with OpenAI). On a key with a budget or a TPM limit the gateway
 * caps an answer that names no cap of its own (max_completion_tokens, the reservation's output), so a
 * `prediction` there would reach the vendor in a shape it refuses: it is a 400 naming `prediction`,
 * before any call. On a key without either, `prediction` passes as sent, with no cap added.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type OpenAI from "openai";
import { hashSecret, newGatewayKey } from "../../../shared/ids.ts";
import type { SnapshotKey } from "../../../shared/snapshot/schema.ts";
import { startFakeAzure } from "../../../test/fakes/azure.ts";
import type { FakeVendor } from "../../../test/fakes/fake-server.ts";
import { startFakeOpenAI } from "../../../test/fakes/openai.ts";
import type { RunningProxy } from "../../main.ts";
import { createProxyFixture, REGION, type ProxyFixture } from "../../testing/proxy-fixture.ts";

const keys = { budget: newGatewayKey(), tpm: newGatewayKey(), plain: newGatewayKey() };
const vendors: Record<"openai" | "azure", FakeVendor> = {} as never;
let fx: ProxyFixture;
let proxy: RunningProxy;

beforeAll(async () => {
  fx = await createProxyFixture();
  vendors.openai = await startFakeOpenAI({ apiKey: "sk-openai-fake" });
  vendors.azure = await startFakeAzure({ apiKey: "azure-fake-key" });
  await fx.publish(
    fx.snapshot(1, (s) => {
      for (const provider of ["openai", "azure"] as const) {
        const id = `dep_${provider}`;
        const baseUrl = provider === "openai" ? `${vendors.openai.url}/v1` : vendors.azure.url;
        s.deployments[id] = { id, provider, baseUrl, model: "gpt-4.1", region: REGION, credentialRef: `env:${provider.toUpperCase()}_KEY` };
        s.aliases[provider] = { name: provider, chain: [id] };
        s.pricing[`${provider}:gpt-4.1`] = { input: 2_000_000, output: 8_000_000 };
      }
      const key = (id: string, extra: Partial<SnapshotKey>): SnapshotKey => ({ id, tenantId: "ten_a", name: id, status: "active", expiresAt: null, allowedAliases: null, ...extra });
      s.keys[hashSecret(keys.budget)] = key("key_budget", { budgets: { dailyMicros: 1_000_000_000, monthlyMicros: null } });
      s.keys[hashSecret(keys.tpm)] = key("key_tpm", { limits: { rpm: null, tpm: 1_000_000 } });
      s.keys[hashSecret(keys.plain)] = key("key_plain", {});
    }),
  );
  proxy = await fx.startProxy({ credentials: { OPENAI_KEY: "sk-openai-fake", AZURE_KEY: "azure-fake-key" } });
});
afterAll(async () => {
  await fx.cleanup();
  await vendors.openai.stop();
  await vendors.azure.stop();
});

const code = "class User {\n  firstName: string = \"\";\n  username: string = \"\";\n}\nexport default User;";
const ask = (alias: string, extra: Record<string, unknown> = {}) =>
  ({ model: alias, messages: [{ role: "user", content: `Replace username with email.\n${code}` }], prediction: { type: "content", content: code }, ...extra }) as OpenAI.ChatCompletionCreateParamsNonStreaming;

/** The request with `key`: the body the vendor got, or the error (and then no vendor call). */
async function send(alias: "openai" | "azure", key: string, body: OpenAI.ChatCompletionCreateParamsNonStreaming) {
  const vendor = vendors[alias];
  const before = vendor.calls();
  const outcome = await fx.client(proxy, key).chat.completions.create(body).then(
    () => ({ ok: true as const, sent: vendor.lastRequest()!.body as Record<string, unknown> }),
    (e: { status?: number; param?: string; message?: string }) => ({ ok: false as const, status: e.status, param: e.param, message: e.message ?? "" }),
  );
  expect(vendor.calls()).toBe(outcome.ok ? before + 1 : before);
  return outcome;
}

for (const alias of ["openai", "azure"] as const) {
  describe(`${alias}: prediction and the gateway's output cap`, () => {
    for (const limited of ["budget", "tpm"] as const) {
      test(`on a key with a ${limited === "tpm" ? "TPM limit" : "budget"}, prediction without a cap of the client's is a 400 naming it, before any call`, async () => {
        const out = await send(alias, keys[limited], ask(alias));
        expect(out).toMatchObject({ ok: false, status: 400, param: "prediction" });
        const message = (out as { message: string }).message;
        expect(message).toContain("max_completion_tokens");
        expect(message).toContain("budget or a tokens-per-minute");
      });
    }

    test("on a key without a budget or TPM limit, prediction passes as sent, with no cap added", async () => {
      const out = await send(alias, keys.plain, ask(alias));
      expect(out.ok).toBe(true);
      if (!out.ok) return;
      expect(out.sent.prediction).toEqual({ type: "content", content: code });
      expect(out.sent.max_completion_tokens).toBeUndefined();
    });

    test("on a budgeted key, a request without prediction still gets the reservation's cap", async () => {
      const { prediction: _, ...plain } = ask(alias);
      const out = await send(alias, keys.budget, plain as OpenAI.ChatCompletionCreateParamsNonStreaming);
      expect(out.ok).toBe(true);
      if (out.ok) expect(out.sent.max_completion_tokens).toBe(4096);
    });

    test("a cap the client named itself is sent as it is, prediction and all: the vendor answers it", async () => {
      const out = await send(alias, keys.budget, ask(alias, { max_completion_tokens: 500 }));
      expect(out.ok).toBe(true);
      if (out.ok) expect([out.sent.prediction !== undefined, out.sent.max_completion_tokens]).toEqual([true, 500]);
    });
  });
}
