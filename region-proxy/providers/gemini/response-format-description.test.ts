/**
 * response_format.json_schema.description is "A description of what the response format is for, used by
 * the model to determine how to respond in the format" (platform.openai.com/docs/api-reference/chat/create).
 * Gemini's responseSchema takes a description on its root Schema (ai.google.dev/api/caching#Schema), which
 * the model reads: the format's description goes there (before the schema's own, if it has one), rather
 * than being dropped in silence, as the Anthropic adapter sends it as its JSON tool's description.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startFakeGemini } from "../../../test/fakes/gemini.ts";
import { sendChat, startVendorBehindProxy, type VendorBehindProxy } from "../../testing/vendor-behind-proxy.ts";

let gemini: VendorBehindProxy;
beforeAll(async () => {
  gemini = await startVendorBehindProxy({ provider: "gemini", start: startFakeGemini }, { gemini: "gemini-2.5-flash" });
});
afterAll(() => gemini?.stop());

const messages = [{ role: "user", content: "who?" }];
const format = (schema: Record<string, unknown>) => ({ type: "json_schema", json_schema: { name: "person", description: "The person the user asks about.", schema } });
const person = { type: "object", properties: { name: { type: "string" } }, required: ["name"] };

test("the json_schema's description is the responseSchema's root description", async () => {
  const { sent } = await sendChat(gemini, { model: "gemini", messages, response_format: format(person) });
  expect(sent.generationConfig.responseSchema).toEqual({ ...person, description: "The person the user asks about." });
});

test("beside the schema's own root description, both are kept, the format's first", async () => {
  const { sent } = await sendChat(gemini, { model: "gemini", messages, response_format: format({ ...person, description: "A person." }) });
  expect(sent.generationConfig.responseSchema.description).toBe("The person the user asks about.\n\nA person.");
});
