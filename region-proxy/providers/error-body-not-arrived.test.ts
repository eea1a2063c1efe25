/**
 * An error answer whose body never arrives (its headers, then silence until the wait for the body runs
 * out, read-error-body.ts) is told as such: Azure's, Anthropic's and Gemini's messages quote the
 * vendor's raw text when it is no JSON error, and said "(empty body)" for a body that was cut, not
 * empty. Classification is by status as before: a 400 goes back as the vendor's refusal, a 503 is
 * retried and then answered 502.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { stalledErrorBody, startRawVendors } from "../testing/raw-vendor.ts";

const PROVIDERS = ["azure", "anthropic", "gemini"] as const;
const STATUSES = { "400": "400 Bad Request", "503": "503 Service Unavailable" } as const;

let t: Awaited<ReturnType<typeof startRawVendors>>;
beforeAll(async () => {
  const vendors: Parameters<typeof startRawVendors>[0] = {};
  const chains: Record<string, string[]> = {};
  for (const provider of PROVIDERS) {
    for (const [code, status] of Object.entries(STATUSES)) {
      vendors[`dep_${provider}_${code}`] = { provider, timeouts: { firstByteMs: 300 }, script: stalledErrorBody(status) };
      chains[`${provider}-${code}`] = [`dep_${provider}_${code}`];
    }
  }
  t = await startRawVendors(vendors, chains);
});
afterAll(() => t?.stop());

for (const provider of PROVIDERS) {
  test(`${provider}: a 400 or 503 whose body never arrives says so, classified by its status`, async () => {
    const ask = (code: string) => t.client.chat.completions.create({ model: `${provider}-${code}`, messages: [{ role: "user", content: "hi" }] }, { maxRetries: 0 }).catch((e) => e);
    const refused = await ask("400");
    expect(refused.status).toBe(400);
    expect(refused.error.message).toContain("The model provider's error message did not arrive.");
    const failed = await ask("503");
    expect(failed.status).toBe(502);
    expect(failed.error.message).toContain("answered 503: The model provider's error message did not arrive.");
    expect(`${refused.error.message} ${failed.error.message}`).not.toContain("empty body");
  }, 30_000);
}
