/**
 * An assistant message echoed back with `tool_calls: null` (as an SDK serialises an answer that made
 * no call; the request parser takes it) is a message without calls on every translating adapter, not
 * a 500.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startFakeAnthropic } from "../../test/fakes/anthropic.ts";
import { startFakeGemini } from "../../test/fakes/gemini.ts";
import { sendChat, startVendorBehindProxy, type VendorBehindProxy } from "../testing/vendor-behind-proxy.ts";

const v: Record<string, VendorBehindProxy> = {};
beforeAll(async () => {
  v.anthropic = await startVendorBehindProxy({ provider: "anthropic", start: startFakeAnthropic }, { m: "claude-sonnet-4-5" });
  v.gemini = await startVendorBehindProxy({ provider: "gemini", start: startFakeGemini }, { m: "gemini-2.5-flash" });
});
afterAll(async () => {
  for (const vendor of Object.values(v)) await vendor.stop();
});

describe.each(["anthropic", "gemini"])("%s", (vendor) => {
  test("an assistant message with tool_calls null is answered as one without calls", async () => {
    const messages = [{ role: "user", content: "hi" }, { role: "assistant", content: "Hello.", tool_calls: null }, { role: "user", content: "again" }];
    const { refused, sent } = await sendChat(v[vendor]!, { model: "m", messages });
    expect(refused).toBe(false);
    expect(JSON.stringify(sent)).toContain("Hello.");
  });
});
