/**
 * Done-when 1 of the walking skeleton: everything created through GraphQL reaches the EU proxy in a
 * signed snapshot; the official OpenAI SDK gets a completion and a stream through it; the spend query
 * then shows both requests with the right tokens and cost.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import OpenAI from "openai";
import { costMicros } from "../../shared/money/cost.ts";
import { clearOfDayEnd } from "../support/clear-of-day-end.ts";
import { eventually, startStack, type TestStack } from "../support/stack.ts";

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack({ regions: ["eu", "us"] });
});
afterAll(async () => {
  await stack?.stop();
});

test("GraphQL config → EU proxy → openai SDK (plain and streamed) → spend", async () => {
  const { admin } = stack;
  const { createTenant } = await admin.request<{ createTenant: { id: string } }>(
    `mutation { createTenant(input: { name: "acme-eu" }) { id } }`,
  );
  const { createDeployment } = await admin.request<{ createDeployment: { id: string } }>(
    `mutation($input: CreateDeploymentInput!) { createDeployment(input: $input) { id } }`,
    { input: { provider: "openai", baseUrl: `${stack.echo.url}/v1`, model: "echo-eu-large", region: "eu", credentialRef: "env:ECHO_VENDOR_API_KEY" } },
  );
  // Priced before an alias routes to it: an alias may not route to an unpriced model.
  await admin.request(`mutation { setPrice(input: { provider: "openai", model: "echo-eu-large", inputUsdPerMillion: 2.5, outputUsdPerMillion: 10 }) { model } }`);
  await admin.request(`mutation { createAlias(input: { name: "acme-chat", deploymentIds: ["${createDeployment.id}"] }) { name } }`);
  const { createKey } = await admin.request<{ createKey: { key: { id: string; prefix: string }; secret: string } }>(
    `mutation($tenantId: ID!) { createKey(input: { tenantId: $tenantId, name: "backend" }) { key { id prefix } secret } }`,
    { tenantId: createTenant.id },
  );
  expect(createKey.secret.startsWith(createKey.key.prefix)).toBe(true);
  const { configVersion } = await admin.request<{ configVersion: number }>(`{ configVersion }`);
  const eu = stack.proxies.eu!;
  await eventually(() => eu.snapshotVersion() >= configVersion, 5000, "EU proxy to load the new snapshot");

  // Each request is booked in the UTC day it arrived and byDay is checked against today's date, up to
  // 8 s later: run across midnight, the two fell in two days, or in one that was no longer today.
  await clearOfDayEnd(20_000);
  const client = new OpenAI({ baseURL: `${eu.url}/v1`, apiKey: createKey.secret, maxRetries: 0 });
  const messages = [{ role: "user" as const, content: "Bonjour from the EU office, please echo this" }];
  const { data: plain, response } = await client.chat.completions
    .create({ model: "acme-chat", messages }, { headers: { "X-Feature-Id": "support-bot" } })
    .withResponse();
  expect(plain.choices[0]!.message.content).toBe("Echo: Bonjour from the EU office, please echo this");
  expect(plain.usage!.prompt_tokens).toBeGreaterThan(0);
  expect(response.headers.get("x-gateway-region")).toBe("eu");
  expect(response.headers.get("x-gateway-model")).toBe("echo-eu-large");
  expect(response.headers.get("x-request-id")).toMatch(/^req_/);

  const stream = await client.chat.completions.create({ model: "acme-chat", messages, stream: true, stream_options: { include_usage: true } });
  let text = "";
  let streamedUsage: OpenAI.CompletionUsage | null | undefined;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta.content ?? "";
    if (chunk.usage) streamedUsage = chunk.usage;
  }
  expect(text).toBe(plain.choices[0]!.message.content!);
  expect(streamedUsage).toEqual(plain.usage!);

  const price = { input: 2_500_000, output: 10_000_000 };
  const perRequest = costMicros(
    { inputTokens: plain.usage!.prompt_tokens, outputTokens: plain.usage!.completion_tokens, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 },
    price,
  );
  type Group = { key: string; requests: number; inputTokens: number; outputTokens: number; costMicros: string };
  const spend = await eventually(async () => {
    const { spend } = await admin.request<{ spend: Group & { byModel: Group[]; byDay: Partial<Group>[]; byFeature: Partial<Group>[]; byKey: Partial<Group & { name: string }>[] } }>(
      `query($t: ID!) { spend(tenantId: $t, from: "2020-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z") {
         requests inputTokens outputTokens costMicros
         byModel { key requests inputTokens outputTokens costMicros }
         byDay { key requests costMicros }
         byFeature { key requests costMicros }
         byKey { key name requests costMicros } } }`,
      { t: createTenant.id },
    );
    return spend.requests === 2 ? spend : undefined;
  }, 8000, "both requests to reach the ledger");
  expect(spend.inputTokens).toBe(2 * plain.usage!.prompt_tokens);
  expect(spend.outputTokens).toBe(2 * plain.usage!.completion_tokens);
  expect(spend.costMicros).toBe(String(2 * perRequest));
  expect(spend.byModel).toEqual([
    { key: "echo-eu-large", requests: 2, inputTokens: 2 * plain.usage!.prompt_tokens, outputTokens: 2 * plain.usage!.completion_tokens, costMicros: String(2 * perRequest) },
  ]);
  expect(spend.byDay).toEqual([{ key: new Date().toISOString().slice(0, 10), requests: 2, costMicros: String(2 * perRequest) }]);
  // The plain request's X-Feature-Id reaches the ledger and the report; the stream sent none.
  expect([...spend.byFeature].sort((a, b) => a.key!.localeCompare(b.key!))).toEqual([
    { key: "(none)", requests: 1, costMicros: String(perRequest) },
    { key: "support-bot", requests: 1, costMicros: String(perRequest) },
  ]);
  expect(spend.byKey).toEqual([{ key: createKey.key.id, name: "backend", requests: 2, costMicros: String(2 * perRequest) }]);
  // The echo vendor was called exactly twice for this model: no hidden retries.
  expect(stack.echo.calls("echo-eu-large")).toBe(2);
}, 60_000);

test("the US proxy does not serve an alias whose deployments are all in the EU", async () => {
  const client = new OpenAI({ baseURL: `${stack.proxies.us!.url}/v1`, apiKey: stack.demo.keySecret, maxRetries: 0 });
  const { configVersion } = await stack.admin.request<{ configVersion: number }>(`{ configVersion }`);
  await eventually(() => stack.proxies.us!.snapshotVersion() >= configVersion, 5000, "US proxy snapshot");
  const error = await client.chat.completions.create({ model: "acme-chat", messages: [{ role: "user", content: "hi" }] }).catch((e) => e);
  expect(error).toBeInstanceOf(OpenAI.NotFoundError);
  expect(error.code).toBe("model_not_found");
});
