/**
 * `n` on Anthropic: the Messages API answers one message per request and has no field for more, so
 * n > 1 is a 400 naming n before any vendor call (Gemini answers it, as candidateCount); n: 1 passes.
 * Through a real proxy to the fake Anthropic, read through the official SDK.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startFakeAnthropic } from "../../../test/fakes/anthropic.ts";
import { sendChat, startVendorBehindProxy, type VendorBehindProxy } from "../../testing/vendor-behind-proxy.ts";

let vendor: VendorBehindProxy;

beforeAll(async () => {
  vendor = await startVendorBehindProxy({ provider: "anthropic", start: startFakeAnthropic }, { claude: "claude-fake" });
});
afterAll(() => vendor.stop());

const hi = [{ role: "user" as const, content: "hi" }];

describe("anthropic: n", () => {
  test("n: 2 is a 400 naming n, and Anthropic is not called", async () => {
    expect(await sendChat(vendor, { model: "claude", messages: hi, n: 2 })).toMatchObject({ refused: true, param: "n" });
  });

  test("n: 1 passes, and nothing of it is sent", async () => {
    const { refused, sent } = await sendChat(vendor, { model: "claude", messages: hi, n: 1 });
    expect(refused).toBe(false);
    expect(sent).not.toHaveProperty("n");
  });
});
