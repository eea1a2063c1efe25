/**
 * The openai SDK's parse() answer pushed back into messages, its documented multi-turn pattern
 * (`messages.push(completion.choices[0].message)`), is answered by the translating adapters as OpenAI
 * answers it: the message carries `parsed` (the SDK's copy of its content as an object), which the
 * nested-field check (message-fields.ts) refused as unknown, a 400 the request never got before it.
 * Final read p1's finding 1.
 */
import { describe, expect, test } from "bun:test";
import { useTranslatingVendors } from "../testing/translating-vendors.ts";
import { sendChat } from "../testing/vendor-behind-proxy.ts";

const vendors = useTranslatingVendors();

const format = {
  type: "json_schema" as const,
  json_schema: { name: "a", strict: true, schema: { type: "object", properties: { answer: { type: "string" } }, required: ["answer"], additionalProperties: false } },
};

describe.each(["anthropic", "gemini"] as const)("%s", (name) => {
  test("a chat.completions.parse() answer pushed back into messages is answered", async () => {
    const vendor = vendors[name]!;
    const messages: unknown[] = [{ role: "user", content: "hi" }];
    const first = await vendor.client.chat.completions.parse({ model: "m", messages: messages as never, response_format: format });
    expect(first.choices[0]!.message.parsed).not.toBeNull();
    messages.push(first.choices[0]!.message, { role: "user", content: "again" });
    expect(await sendChat(vendor, { model: "m", messages, response_format: format })).toMatchObject({ refused: false });
  });
});
