/**
 * Anthropic's and Gemini's fakes, each behind a proxy of its own with the alias "m", for tests both
 * translating adapters must pass alike (message fields, echoed answers): started before the file's
 * tests, stopped after them.
 *
 * @example const vendors = useTranslatingVendors();
 *          describe.each(["anthropic", "gemini"] as const)("%s", (name) => test("...", () => sendChat(vendors[name], ...)));
 */
import { afterAll, beforeAll } from "bun:test";
import { startFakeAnthropic } from "../../test/fakes/anthropic.ts";
import { startFakeGemini } from "../../test/fakes/gemini.ts";
import { startVendorBehindProxy, type VendorBehindProxy } from "./vendor-behind-proxy.ts";

export type TranslatingVendor = "anthropic" | "gemini";

export function useTranslatingVendors(): Record<TranslatingVendor, VendorBehindProxy> {
  const vendors = {} as Record<TranslatingVendor, VendorBehindProxy>;
  beforeAll(async () => {
    vendors.anthropic = await startVendorBehindProxy({ provider: "anthropic", start: startFakeAnthropic }, { m: "claude-sonnet-4-5" });
    vendors.gemini = await startVendorBehindProxy({ provider: "gemini", start: startFakeGemini }, { m: "gemini-2.5-flash" });
  });
  afterAll(async () => {
    for (const vendor of Object.values(vendors)) await vendor.stop();
  });
  return vendors;
}
