/**
 * Audio in chat completions through a real proxy to the OpenAI and Azure fakes, read through the
 * official SDK. Audio tokens are billed at rates several times a model's text rates, which the pricing
 * table (one price per token class) does not record: audio output (`modalities` with "audio", `audio`)
 * and audio input (`input_audio` content parts) are a 400 naming the field, before any vendor call;
 * text-only requests and the no-op values pass. Likewise the features billed outside the answer's token
 * usage: web_search_options (per search call), OpenRouter's web plugin (per result), its file-parser
 * plugin with the mistral-ocr engine (per page) and Azure's data_sources (On Your Data).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startFakeAzure } from "../../../test/fakes/azure.ts";
import type { FakeVendor } from "../../../test/fakes/fake-server.ts";
import { startFakeOpenAI } from "../../../test/fakes/openai.ts";
import { sendChat, startVendorBehindProxy, type VendorBehindProxy } from "../../testing/vendor-behind-proxy.ts";

const vendors: Record<string, VendorBehindProxy<FakeVendor>> = {};
beforeAll(async () => {
  vendors.openai = await startVendorBehindProxy({ provider: "openai", start: startFakeOpenAI, baseUrl: (fake) => `${fake.url}/v1` }, { chat: "gpt-4o-audio-preview" });
  vendors.azure = await startVendorBehindProxy({ provider: "azure", start: startFakeAzure }, { chat: "gpt-4o-audio-deployment" });
});
afterAll(() => Promise.all(Object.values(vendors).map((v) => v.stop())));

const hi = [{ role: "user", content: "hi" }];
const spoken = [{ role: "user", content: [{ type: "text", text: "what is said?" }, { type: "input_audio", input_audio: { data: "UklGRg==", format: "wav" } }] }];

for (const provider of ["openai", "azure"]) {
  describe(`${provider} audio`, () => {
    test("audio output (modalities with audio, or an audio voice) is a 400 naming it, without a vendor call", async () => {
      expect(await sendChat(vendors[provider]!, { model: "chat", messages: hi, modalities: ["text", "audio"], audio: { voice: "alloy", format: "wav" } })).toMatchObject({ refused: true, param: "modalities" });
      expect(await sendChat(vendors[provider]!, { model: "chat", messages: hi, audio: { voice: "alloy", format: "wav" } })).toMatchObject({ refused: true, param: "audio" });
    });

    test("an input_audio content part is a 400 naming it, without a vendor call", async () => {
      expect(await sendChat(vendors[provider]!, { model: "chat", messages: spoken })).toMatchObject({ refused: true, param: "messages[0].content[1]" });
    });

    test("text only, and the no-op values (modalities [\"text\"], audio null), pass", async () => {
      expect((await sendChat(vendors[provider]!, { model: "chat", messages: hi, modalities: ["text"], audio: null })).refused).toBe(false);
    });
  });
}

for (const provider of ["openai", "azure"]) {
  describe(`${provider} separately billed features`, () => {
    test("web_search_options (billed per search call) is a 400 naming it, without a vendor call; null passes", async () => {
      expect(await sendChat(vendors[provider]!, { model: "chat", messages: hi, web_search_options: { search_context_size: "high" } })).toMatchObject({ refused: true, param: "web_search_options" });
      expect((await sendChat(vendors[provider]!, { model: "chat", messages: hi, web_search_options: null })).refused).toBe(false);
    });

    test("an OpenRouter web plugin (results billed per result) is a 400 naming plugins, without a vendor call; other plugins and null pass", async () => {
      expect(await sendChat(vendors[provider]!, { model: "chat", messages: hi, plugins: [{ id: "response-healing" }, { id: "web", max_results: 5 }] })).toMatchObject({ refused: true, param: "plugins" });
      expect((await sendChat(vendors[provider]!, { model: "chat", messages: hi, plugins: [{ id: "response-healing" }] })).refused).toBe(false);
      expect((await sendChat(vendors[provider]!, { model: "chat", messages: hi, plugins: null })).refused).toBe(false);
    });

    test("an OpenRouter file-parser plugin naming the mistral-ocr engine (billed per page) is a 400 naming plugins, without a vendor call; other engines pass", async () => {
      const parser = (engine: string) => ({ id: "file-parser", pdf: { engine } });
      expect(await sendChat(vendors[provider]!, { model: "chat", messages: hi, plugins: [parser("mistral-ocr")] })).toMatchObject({ refused: true, param: "plugins" });
      expect((await sendChat(vendors[provider]!, { model: "chat", messages: hi, plugins: [parser("cloudflare-ai")] })).refused).toBe(false);
      expect((await sendChat(vendors[provider]!, { model: "chat", messages: hi, plugins: [parser("native")] })).refused).toBe(false);
    });

    test("data_sources (On Your Data: searches billed outside the usage, at an endpoint the request names) is a 400 naming it, without a vendor call", async () => {
      const data_sources = [{ type: "azure_search", parameters: { endpoint: "https://elsewhere.search.windows.net", index_name: "docs", authentication: { type: "system_assigned_managed_identity" } } }];
      expect(await sendChat(vendors[provider]!, { model: "chat", messages: hi, data_sources })).toMatchObject({ refused: true, param: "data_sources" });
    });
  });
}
