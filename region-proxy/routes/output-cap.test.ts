/**
 * A budget cap holds only if no answer can be longer than what its reservation counted: the output cap
 * the limits step reserves for is the one every vendor is asked for. The fake vendor here speaks
 * OpenAI, Anthropic and Gemini and, like a model that talks until it is stopped, writes exactly the
 * cap it was asked for (32,768 tokens, a modern model's own limit, when it was asked for none).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { hashSecret } from "../../shared/ids.ts";
import type { Snapshot } from "../../shared/snapshot/schema.ts";
import type { UsageEvent } from "../../shared/usage/usage-event.ts";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, REGION, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";

const MODEL_OWN_LIMIT = 32_768;
const seen: { path: string; body: Record<string, any> }[] = [];
let vendor: ReturnType<typeof Bun.serve>;
let fx: ProxyFixture;
let proxy: RunningProxy;

function answer(path: string, body: Record<string, any>): Response {
  seen.push({ path, body });
  if (path.endsWith("/v1/messages")) {
    const out = body.max_tokens as number;
    return Response.json({ id: "msg_1", type: "message", role: "assistant", model: body.model, content: [{ type: "text", text: "x" }], stop_reason: "max_tokens", stop_sequence: null, usage: { input_tokens: 10, output_tokens: out } });
  }
  if (path.includes(":generateContent")) {
    const out = (body.generationConfig?.maxOutputTokens as number | undefined) ?? MODEL_OWN_LIMIT;
    return Response.json({ candidates: [{ content: { role: "model", parts: [{ text: "x" }] }, finishReason: "MAX_TOKENS", index: 0 }], usageMetadata: { promptTokenCount: 10, candidatesTokenCount: out, totalTokenCount: 10 + out } });
  }
  const out = (body.max_completion_tokens as number | undefined) ?? (body.max_tokens as number | undefined) ?? MODEL_OWN_LIMIT;
  return Response.json({ id: "c1", object: "chat.completion", created: 1, model: body.model, choices: [{ index: 0, message: { role: "assistant", content: "x" }, finish_reason: "length", logprobs: null }], usage: { prompt_tokens: 10, completion_tokens: out, total_tokens: 10 + out } });
}

/** One alias per vendor kind, all priced 1 µ$ per input token and 2 per output token. */
function withVendors(s: Snapshot, budgets: { dailyMicros: number } | null, limits: { tpm: number } | null = null, oldDefaultMaxOutput?: number): void {
  const base = `http://127.0.0.1:${vendor.port}`;
  const add = (alias: string, provider: "openai" | "azure" | "anthropic" | "gemini", baseUrl: string, model = `${alias}-model`) => {
    s.deployments[`dep_${alias}`] = { id: `dep_${alias}`, provider, baseUrl, model, region: REGION, credentialRef: "env:ECHO_KEY" };
    s.aliases[alias] = { name: alias, chain: [`dep_${alias}`] };
    s.pricing[`${provider}:${model}`] = { input: 1_000_000, output: 2_000_000 };
  };
  add("oai", "openai", `${base}/v1`);
  add("az", "azure", base);
  add("claude", "anthropic", base);
  // A Gemini 2.x model id: the series that answers several candidates (n).
  add("gem", "gemini", base, "gemini-2.5-gem-model");
  const key = s.keys[hashSecret(fx.keys.main)]!;
  key.budgets = budgets ? { dailyMicros: budgets.dailyMicros, monthlyMicros: null } : undefined;
  key.limits = limits ? { tpm: limits.tpm } : undefined;
  // A region default as an old snapshot could carry it (the control plane never published one): ignored.
  if (oldDefaultMaxOutput !== undefined) Object.assign(s, { defaults: { maxOutputTokens: oldDefaultMaxOutput } });
}

let version = 1;
async function publish(budgets: { dailyMicros: number } | null, limits: { tpm: number } | null = null, oldDefaultMaxOutput?: number): Promise<void> {
  version++;
  await fx.publish(fx.snapshot(version, (s) => withVendors(s, budgets, limits, oldDefaultMaxOutput)));
  await waitFor(() => proxy.snapshotVersion() === version, `snapshot ${version}`);
}

async function chat(body: Record<string, unknown>): Promise<{ status: number; json: any; event: UsageEvent; vendorBody: Record<string, any> | undefined }> {
  const before = seen.length;
  const res = await fetch(`${proxy.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${fx.keys.main}`, "content-type": "application/json" },
    body: JSON.stringify({ messages: [{ role: "user", content: "hi" }], ...body }),
  });
  const json = await res.json();
  const id = res.headers.get("x-request-id");
  // A request refused by the limits step writes no usage event.
  if (res.status === 200) await waitFor(() => fx.origin.events().some((e) => e.requestId === id), "usage event");
  return { status: res.status, json, event: fx.origin.events().find((e) => e.requestId === id)!, vendorBody: seen.length > before ? seen.at(-1)!.body : undefined };
}

beforeAll(async () => {
  vendor = Bun.serve({ port: 0, fetch: async (req) => answer(new URL(req.url).pathname, (await req.json()) as Record<string, any>) });
  fx = await createProxyFixture();
  await fx.publish(fx.snapshot(1, (s) => withVendors(s, null)));
  proxy = await fx.startProxy();
});
afterAll(async () => {
  await fx.cleanup();
  vendor.stop(true);
});

describe("the client's own cap", () => {
  test("max_tokens 1 with max_completion_tokens 50,000: Anthropic is asked for 50,000, so that is what is reserved (refused under a 1,000 µ$ cap)", async () => {
    await publish({ dailyMicros: 1_000 });
    const refused = await chat({ model: "claude", max_tokens: 1, max_completion_tokens: 50_000 });
    expect(refused.status).toBe(429);
    expect(refused.json.error.code).toBe("insufficient_quota");
    expect(refused.vendorBody).toBeUndefined();
    // What fits is admitted, and what it is charged stays under the cap.
    const fits = await chat({ model: "claude", max_tokens: 1, max_completion_tokens: 400 });
    expect(fits.status).toBe(200);
    expect(fits.vendorBody!.max_tokens).toBe(400);
    expect(fits.event.costMicros).toBeLessThanOrEqual(1_000);
  });
});

/** The cap a vendor was asked for, in its own field; undefined when it was asked for none. */
function askedCap(alias: string, body: Record<string, any>): number | undefined {
  if (alias === "claude") return body.max_tokens;
  if (alias === "gem") return body.generationConfig?.maxOutputTokens;
  expect(body.max_tokens).toBeUndefined(); // OpenAI and Azure get the current field, never the deprecated one
  return body.max_completion_tokens;
}

describe("no cap from the client", () => {
  const ALIASES = ["oai", "az", "claude", "gem"];

  test("under a budget every vendor is asked for the 4,096 tokens reserved, so one answer cannot pass the cap", async () => {
    // Room for one reservation (prompt + 4,096 × 2 µ$) and no more.
    for (const alias of ALIASES) {
      await publish({ dailyMicros: 10_000 + 9_000 * ALIASES.indexOf(alias) });
      const { status, json, event, vendorBody } = await chat({ model: alias });
      expect(status).toBe(200);
      expect(askedCap(alias, vendorBody!)).toBe(4_096);
      expect(json.choices[0].finish_reason).toBe("length");
      expect(event.usage.outputTokens).toBe(4_096);
      expect(event.costMicros).toBeLessThanOrEqual(10_000);
    }
  });

  test("an old snapshot's region default changes nothing: 4,096 is reserved and asked for; n answers are capped each", async () => {
    await publish({ dailyMicros: 10_000_000 }, null, 700);
    for (const alias of ALIASES) expect(askedCap(alias, (await chat({ model: alias })).vendorBody!)).toBe(4_096);
    const many = await chat({ model: "oai", n: 3 });
    expect(many.vendorBody!.max_completion_tokens).toBe(4_096);
    // Gemini's maxOutputTokens caps each candidate, as the reservation counts n of them.
    expect((await chat({ model: "gem", n: 3 })).vendorBody!.generationConfig).toEqual({ candidateCount: 3, maxOutputTokens: 4_096 });
  });

  test("under a TPM limit alone the answer is capped too (the estimate counted that cap)", async () => {
    await publish(null, { tpm: 1_000_000 });
    for (const alias of ALIASES) expect(askedCap(alias, (await chat({ model: alias })).vendorBody!)).toBe(4_096);
  });

  test("a cap the client named is sent as it is, never replaced", async () => {
    await publish({ dailyMicros: 10_000_000 });
    const legacy = (await chat({ model: "oai", max_tokens: 30 })).vendorBody!;
    expect(legacy.max_tokens).toBe(30);
    expect(legacy.max_completion_tokens).toBeUndefined();
    expect((await chat({ model: "az", max_completion_tokens: 40 })).vendorBody!.max_completion_tokens).toBe(40);
    expect((await chat({ model: "claude", max_tokens: 50 })).vendorBody!.max_tokens).toBe(50);
    expect((await chat({ model: "gem", max_tokens: 60 })).vendorBody!.generationConfig.maxOutputTokens).toBe(60);
  });

  test("a key with no budget and no TPM limit passes the body through: no cap is added", async () => {
    await publish(null);
    const openai = (await chat({ model: "oai" })).vendorBody!;
    expect(openai.max_tokens).toBeUndefined();
    expect(openai.max_completion_tokens).toBeUndefined();
    expect((await chat({ model: "az" })).vendorBody!.max_completion_tokens).toBeUndefined();
    expect((await chat({ model: "gem" })).vendorBody!.generationConfig?.maxOutputTokens).toBeUndefined();
    expect((await chat({ model: "claude" })).vendorBody!.max_tokens).toBe(4_096); // Anthropic requires one
  });
});
