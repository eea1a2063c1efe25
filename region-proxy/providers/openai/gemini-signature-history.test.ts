/**
 * A history whose tool calls carry Gemini's thought signature (`extra_content`, as the proxy's Gemini
 * deployments return it, ../gemini/thought-signature.ts) reaching an OpenAI or Azure deployment, say
 * by a fallback or a client switching models mid-conversation. OpenAI refuses any field of a tool call
 * it does not know ("Unknown parameter: 'messages[1].tool_calls[0].index'.", songquanpeng/one-api#1319),
 * so the field, meaningful to Gemini alone, is left out of what they receive. Through a real proxy to the
 * OpenAI and Azure fakes, read through the official SDK.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startFakeAzure } from "../../../test/fakes/azure.ts";
import type { FakeVendor } from "../../../test/fakes/fake-server.ts";
import { startFakeOpenAI } from "../../../test/fakes/openai.ts";
import { sendChat, startVendorBehindProxy, type VendorBehindProxy } from "../../testing/vendor-behind-proxy.ts";

const vendors: Record<string, VendorBehindProxy<FakeVendor>> = {};
beforeAll(async () => {
  vendors.openai = await startVendorBehindProxy({ provider: "openai", start: startFakeOpenAI, baseUrl: (fake) => `${fake.url}/v1` }, { chat: "gpt-4o" });
  vendors.azure = await startVendorBehindProxy({ provider: "azure", start: startFakeAzure }, { chat: "gpt4o" });
});
afterAll(() => Promise.all(Object.values(vendors).map((v) => v.stop())));

const signedCall = { id: "call_1", type: "function", function: { name: "lookup", arguments: "{}" }, extra_content: { google: { thought_signature: "CiQBjz1rX0ZM" } } };
const messages = [
  { role: "user", content: "look it up" },
  { role: "assistant", content: null, tool_calls: [signedCall] },
  { role: "tool", tool_call_id: "call_1", content: "42" },
];
const tools = [{ type: "function", function: { name: "lookup", parameters: { type: "object" } } }];

for (const provider of ["openai", "azure"]) {
  describe(`${provider}: a tool call carrying Gemini's extra_content`, () => {
    test("is sent without it, and answered", async () => {
      const { refused, sent } = await sendChat(vendors[provider]!, { model: "chat", messages, tools });
      expect(refused).toBe(false);
      expect(sent.messages[1].tool_calls).toEqual([{ id: "call_1", type: "function", function: { name: "lookup", arguments: "{}" } }]);
    });

    test("the fake refuses it sent as it came, as OpenAI refuses a tool-call field it does not know", async () => {
      const url = provider === "openai" ? `${vendors.openai!.fake.url}/v1/chat/completions` : `${vendors.azure!.fake.url}/openai/deployments/gpt4o/chat/completions?api-version=2024-10-21`;
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: "Bearer vendor-fake-key", "api-key": "vendor-fake-key" },
        body: JSON.stringify({ model: "gpt-4o", messages, tools }),
      });
      const body = (await res.json()) as { error: { message: string; param: string; code: string } };
      expect([res.status, body.error.message, body.error.param, body.error.code]).toEqual([400, "Unknown parameter: 'messages[1].tool_calls[0].extra_content'.", "messages[1].tool_calls[0].extra_content", "unknown_parameter"]);
    });
  });
}
