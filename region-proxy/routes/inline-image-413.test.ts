/**
 * A single phone photo sent inline (a 3 MB JPEG is a 4 MB data URL) is over the default 1 MiB
 * MAX_BODY_BYTES, though every vendor takes it. The 413 used to say only "Request body exceeds the
 * 1048576 byte limit.", so the caller could not tell it was the gateway's own limit nor what to do;
 * it now gives the limit in MiB, says inline data: images and files count towards it, and offers an
 * https URL, a smaller image or asking the operator to raise MAX_BODY_BYTES. (Review media's F5.)
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { APIError } from "openai";
import { startFakeAnthropic } from "../../test/fakes/anthropic.ts";
import { startVendorBehindProxy, type VendorBehindProxy } from "../testing/vendor-behind-proxy.ts";

let vp: VendorBehindProxy;
beforeAll(async () => {
  vp = await startVendorBehindProxy({ provider: "anthropic", start: startFakeAnthropic }, { claude: "claude-sonnet-4-5" });
});
afterAll(async () => {
  await vp?.stop();
});

test("the 413 for an inline photo gives the limit in MiB and tells the caller what to do with the image", async () => {
  const url = "data:image/jpeg;base64,/9j/" + "A".repeat(4_000_000);
  const messages = [{ role: "user" as const, content: [{ type: "text" as const, text: "what?" }, { type: "image_url" as const, image_url: { url } }] }];
  const e = (await vp.client.chat.completions.create({ model: "claude", messages }).catch((x: unknown) => x)) as APIError;
  expect(e).toBeInstanceOf(APIError);
  expect({ status: e.status, code: e.code, type: e.type }).toEqual({ status: 413, code: "request_too_large", type: "invalid_request_error" });
  expect(e.message).toContain("1 MiB");
  expect(e.message).toMatch(/inline `?data:`? images/);
  expect(e.message).toMatch(/https URL/);
  expect(e.message).toContain("MAX_BODY_BYTES");
});
