/**
 * An assistant message echoed back with `tool_calls: null` (as an SDK serialises an answer that made
 * no call; the request parser takes it) is a message without calls on every translating adapter, not
 * a 500.
 */
import { describe, expect, test } from "bun:test";
import { useTranslatingVendors } from "../testing/translating-vendors.ts";
import { sendChat } from "../testing/vendor-behind-proxy.ts";

const v = useTranslatingVendors();

describe.each(["anthropic", "gemini"] as const)("%s", (vendor) => {
  test("an assistant message with tool_calls null is answered as one without calls", async () => {
    const messages = [{ role: "user", content: "hi" }, { role: "assistant", content: "Hello.", tool_calls: null }, { role: "user", content: "again" }];
    const { refused, sent } = await sendChat(v[vendor]!, { model: "m", messages });
    expect(refused).toBe(false);
    expect(JSON.stringify(sent)).toContain("Hello.");
  });
});
