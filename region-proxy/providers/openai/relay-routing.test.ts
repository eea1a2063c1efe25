/**
 * An OpenAI-format deployment gets the client's body as sent, unknown fields included, and its baseUrl
 * may be an OpenAI-compatible relay (OpenRouter, a LiteLLM proxy). Those relays read fields of the body
 * that choose another model or another upstream than the one the deployment names: OpenRouter's
 * `models` and `route` (fallback models, "priced using the model that was ultimately used") and
 * `preset`, LiteLLM's `fallbacks`, `context_window_fallbacks` and `user_config` (a whole model list,
 * api_base and api_key included), `content_policy_fallbacks` and the `mock_testing_*` fallback flags,
 * its client-side endpoint and credential fields (`api_base`, `base_url`, `api_key` and the rest), the
 * fields by which its Router replaces the deployment's account, project, region or provider
 * (`organization`, `vertex_project`, `aws_region_name`, `deployment_id`, ...), and `extra_headers`,
 * `headers` (merged into its call's headers, a key included) and
 * `extra_body` (merged into the body it sends on); OpenRouter's `provider` preferences, whatever they ask.
 * Nothing in a request may choose where a call goes or which model bills it, so each is a 400 naming
 * it before any vendor call, on chat and on embeddings; `null` asks for nothing and is left out of the
 * body sent (LiteLLM refuses a banned field that is present at all).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { APIError } from "openai";
import type { FakeVendor } from "../../../test/fakes/fake-server.ts";
import { startFakeOpenAI } from "../../../test/fakes/openai.ts";
import { sendChat, startVendorBehindProxy, type VendorBehindProxy } from "../../testing/vendor-behind-proxy.ts";

let relay: VendorBehindProxy<FakeVendor>;
beforeAll(async () => {
  relay = await startVendorBehindProxy({ provider: "openai", start: startFakeOpenAI, baseUrl: (fake) => `${fake.url}/v1` }, { chat: "openai/gpt-4o-mini", embed: "text-embedding-3-small" });
});
afterAll(() => relay.stop());

const hi = [{ role: "user", content: "hi" }];
const ROUTING: [field: string, value: unknown][] = [
  ["models", ["openai/o1-pro"]],
  ["route", "fallback"],
  ["preset", "dear-model"],
  ["fallbacks", ["gpt-4.5-preview"]],
  ["context_window_fallbacks", [{ "openai/gpt-4o-mini": ["o1-pro"] }]],
  ["user_config", { model_list: [{ model_name: "x", litellm_params: { model: "openai/gpt-4o", api_base: "https://elsewhere.example/v1" } }] }],
  ["api_base", "https://elsewhere.example/v1"],
  ["base_url", "https://elsewhere.example/v1"],
  ["api_key", "sk-someone-elses"],
  // LiteLLM's Router reads content_policy_fallbacks as it reads fallbacks, and the mock_testing_* flags
  // fail the asked model group on purpose so its fallbacks answer (the docs name the context one
  // mock_testing_context_window_fallbacks, the Router reads mock_testing_context_fallbacks).
  ["content_policy_fallbacks", [{ "openai/gpt-4o-mini": ["o1-pro"] }]],
  ["mock_testing_fallbacks", true],
  ["mock_testing_context_fallbacks", true],
  ["mock_testing_context_window_fallbacks", true],
  ["mock_testing_content_policy_fallbacks", true],
  // OpenRouter's provider preferences pick the provider serving the model, at its own price: any
  // member of the object does (ordering, filtering, sorting), so the object is refused whole.
  ["provider", { order: ["dearest-provider"], allow_fallbacks: false }],
  // LiteLLM's other endpoint and credential fields (its proxy's _BANNED_REQUEST_BODY_PARAMS).
  ["aws_bedrock_runtime_endpoint", "https://elsewhere.example"],
  ["aws_sts_endpoint", "https://elsewhere.example"],
  ["aws_web_identity_token", "token"],
  ["aws_role_name", "arn:aws:iam::1:role/other"],
  ["vertex_credentials", "{}"],
  ["s3_endpoint_url", "https://elsewhere.example"],
  ["sagemaker_base_url", "https://elsewhere.example"],
  ["deployment_url", "https://elsewhere.example"],
  // LiteLLM's completion() merges `headers` and `extra_headers` into the headers of its call upstream
  // (an Authorization there replaces the deployment's key), and its proxy passes the body through.
  ["extra_headers", { Authorization: "Bearer sk-someone-elses" }],
  ["headers", { "x-goog-api-key": "someone-elses" }],
  // LiteLLM merges `extra_body` into the body it sends on: through LiteLLM to OpenRouter it would carry
  // the fields refused here at the top level.
  ["extra_body", { models: ["openai/o1-pro"], provider: { order: ["dearest-provider"] } }],
  // LiteLLM's Router spreads the request's fields last over the deployment's litellm_params, so these
  // replace its credential, its billed account or project, its region or its provider, though its
  // proxy bans none of them.
  ["organization", "org-someone-elses"],
  ["azure_ad_token", "someone-elses"],
  ["aws_access_key_id", "AKIAOTHER"],
  ["aws_secret_access_key", "someone-elses"],
  ["aws_session_token", "someone-elses"],
  ["aws_profile_name", "other"],
  ["litellm_credential_name", "another-teams-credential"],
  ["vertex_ai_credentials", "{}"],
  ["model_list", [{ model_name: "openai/gpt-4o-mini", litellm_params: { model: "openai/o1-pro", api_base: "https://elsewhere.example/v1", api_key: "sk-x" } }]],
  ["aws_region_name", "us-east-1"],
  ["vertex_location", "us-central1"],
  ["vertex_ai_location", "us-central1"],
  ["vertex_project", "another-project"],
  ["vertex_ai_project", "another-project"],
  ["deployment_id", "gpt-4o"],
  ["custom_llm_provider", "azure"],
  // Azure's sign-in fields: together they log into another Entra tenant.
  ["tenant_id", "00000000-0000-0000-0000-000000000000"],
  ["client_id", "00000000-0000-0000-0000-000000000001"],
  ["client_secret", "someone-elses"],
  ["azure_username", "someone@elsewhere.example"],
  ["azure_password", "someone-elses"],
  ["azure_scope", "https://cognitiveservices.azure.com/.default"],
];

describe("relay routing fields on an OpenAI-format deployment", () => {
  for (const [field, value] of ROUTING) {
    test(`chat: ${field} is a 400 naming it, without a vendor call`, async () => {
      expect(await sendChat(relay, { model: "chat", messages: hi, [field]: value })).toMatchObject({ refused: true, param: field });
    });

    test(`embeddings: ${field} is a 400 naming it, without a vendor call`, async () => {
      const before = relay.fake.calls();
      const error = await relay.client.embeddings.create({ model: "embed", input: "hi", [field]: value } as never).then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(APIError);
      expect((error as APIError).status).toBe(400);
      expect((error as APIError).param).toBe(field);
      expect(relay.fake.calls()).toBe(before);
    });
  }

  test("provider is refused whatever it asks (here only a data policy)", async () => {
    expect(await sendChat(relay, { model: "chat", messages: hi, provider: { data_collection: "deny" } })).toMatchObject({ refused: true, param: "provider" });
  });

  // done-hub's OpenRouter channel always sends "provider": {} (a Go struct field with omitempty is never
  // left out): it asks for nothing, so it is served, and left out of the body like null.
  test("provider: {} asks for nothing: served on chat and embeddings, left out of the body sent", async () => {
    expect((await sendChat(relay, { model: "chat", messages: hi, provider: {} })).refused).toBe(false);
    expect(relay.fake.lastRequest()?.body).not.toHaveProperty("provider");
    const before = relay.fake.calls();
    await relay.client.embeddings.create({ model: "embed", input: "hi", provider: {} } as never);
    expect(relay.fake.calls()).toBe(before + 1);
    expect(relay.fake.lastRequest()?.body).not.toHaveProperty("provider");
    // An empty array is no empty preferences object.
    expect(await sendChat(relay, { model: "chat", messages: hi, provider: [] })).toMatchObject({ refused: true, param: "provider" });
  });

  // LiteLLM's proxy refuses a banned field whenever it is in the body (`param in body`), null included.
  test("null asks for nothing: the request is served, the field left out of the body sent", async () => {
    const nulls = Object.fromEntries(ROUTING.map(([field]) => [field, null]));
    expect((await sendChat(relay, { model: "chat", messages: hi, temperature: null, ...nulls })).refused).toBe(false);
    const chatBody = relay.fake.lastRequest()?.body as Record<string, unknown>;
    expect(ROUTING.map(([field]) => field).filter((field) => field in chatBody)).toEqual([]);
    expect(chatBody).toHaveProperty("temperature", null); // a null the relay fields do not cover is sent as it came
    const before = relay.fake.calls();
    await relay.client.embeddings.create({ model: "embed", input: "hi", ...nulls } as never);
    expect(relay.fake.calls()).toBe(before + 1);
    const embedBody = relay.fake.lastRequest()?.body as Record<string, unknown>;
    expect(ROUTING.map(([field]) => field).filter((field) => field in embedBody)).toEqual([]);
  });
});
