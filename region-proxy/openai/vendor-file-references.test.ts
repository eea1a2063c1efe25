/**
 * A content part that names a file stored at the vendor (OpenAI's `file.file_id`, a Gemini Files API
 * URI given as image_url.url) would be read with the gateway's own vendor credential, in the
 * operator's vendor account. The gateway has no files route, so a client cannot have uploaded anything
 * there through it: such a part can only read a file someone else put in that account (another
 * tenant's upload, the operator's own), and the vendor's 403-or-answer tells whether it exists. The
 * parser refuses it with a 400 naming the field, for every vendor and before any call
 * (vendor-file-references.ts); a file sent inline (`file.file_data`) still reaches OpenAI-format
 * vendors as sent.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startFakeAnthropic } from "../../test/fakes/anthropic.ts";
import { startFakeAzure } from "../../test/fakes/azure.ts";
import { startFakeGemini } from "../../test/fakes/gemini.ts";
import { startFakeOpenAI } from "../../test/fakes/openai.ts";
import { sendChat, startVendorBehindProxy, type VendorBehindProxy } from "../testing/vendor-behind-proxy.ts";

type Vendor = "openai" | "azure" | "anthropic" | "gemini";
const vendors = {} as Record<Vendor, VendorBehindProxy>;
beforeAll(async () => {
  vendors.openai = await startVendorBehindProxy({ provider: "openai", start: startFakeOpenAI, baseUrl: (f) => `${f.url}/v1` }, { m: "gpt-4o-mini" });
  vendors.azure = await startVendorBehindProxy({ provider: "azure", start: startFakeAzure }, { m: "gpt-4o-deployment" });
  vendors.anthropic = await startVendorBehindProxy({ provider: "anthropic", start: startFakeAnthropic }, { m: "claude-sonnet-4-5" });
  vendors.gemini = await startVendorBehindProxy({ provider: "gemini", start: startFakeGemini }, { m: "gemini-2.5-flash" });
});
afterAll(async () => {
  for (const vendor of Object.values(vendors)) await vendor.stop();
});

const PDF = `data:application/pdf;base64,${Buffer.from("%PDF-1.4\n%%EOF\n").toString("base64")}`;
const ask = (part: Record<string, unknown>) => [{ role: "user", content: [{ type: "text", text: "What does this say?" }, part] }];

describe.each(["openai", "azure", "anthropic", "gemini"] as const)("%s", (name) => {
  test("a file part naming a file_id is refused before the call, naming it", async () => {
    const r = await sendChat(vendors[name], { model: "m", messages: ask({ type: "file", file: { file_id: "file-Operator0wnUpload123" } }) });
    expect(r).toMatchObject({ refused: true, param: "messages[0].content[1].file.file_id" });
  });

  test("so is one that also carries inline data", async () => {
    const r = await sendChat(vendors[name], { model: "m", messages: ask({ type: "file", file: { file_id: "file-abc", file_data: PDF, filename: "a.pdf" } }) });
    expect(r).toMatchObject({ refused: true, param: "messages[0].content[1].file.file_id" });
  });
});

describe.each(["openai", "azure"] as const)("%s", (name) => {
  test("a file_id in any message is refused, not only in the last user message", async () => {
    const messages = [{ role: "user", content: [{ type: "file", file: { file_id: "file-abc" } }, { type: "text", text: "read it" }] }, { role: "assistant", content: "Done." }, { role: "user", content: "again" }];
    expect(await sendChat(vendors[name], { model: "m", messages })).toMatchObject({ refused: true, param: "messages[0].content[0].file.file_id" });
  });

  test("a file sent inline still reaches the vendor as sent", async () => {
    const part = { type: "file", file: { file_data: PDF, filename: "a.pdf" } };
    const r = await sendChat(vendors[name], { model: "m", messages: ask(part) });
    expect(r.refused).toBe(false);
    expect(r.sent.messages[0].content[1]).toEqual(part);
  });

  test("the refusal says to send the file inline", async () => {
    const error = await vendors[name].client.chat.completions.create({ model: "m", messages: ask({ type: "file", file: { file_id: "file-abc" } }) as never }).catch((e: unknown) => e as Error);
    expect((error as Error).message).toContain("file_data");
  });
});

describe("gemini", () => {
  // Each refused by the Files rule itself (its message names the Files API): the userinfo form too,
  // which the media URL rule checks for Gemini's host before it checks for credentials.
  test("an image_url naming a Gemini Files API file is refused before the call, naming it", async () => {
    for (const url of [
      "https://generativelanguage.googleapis.com/v1beta/files/operatorupload1",
      "https://generativelanguage.googleapis.com/v1/files/operatorupload1",
      "https://GenerativeLanguage.googleapis.com/v1beta/files/operatorupload1?alt=media",
      "https://generativelanguage.googleapis.com:443/v1beta/files/operatorupload1",
      "https://generativelanguage.googleapis.com./v1beta/files/operatorupload1",
      "https://user@generativelanguage.googleapis.com/v1beta/files/operatorupload1.png",
    ]) {
      const r = await sendChat(vendors.gemini, { model: "m", messages: ask({ type: "image_url", image_url: { url } }) });
      expect(r).toMatchObject({ refused: true, param: "messages[0].content[1].image_url.url" });
      const error = (await vendors.gemini.client.chat.completions.create({ model: "m", messages: ask({ type: "image_url", image_url: { url } }) as never }).catch((e: unknown) => e)) as Error;
      expect({ url, message: error.message }).toEqual({ url, message: expect.stringContaining("Gemini's Files API") });
    }
  });

  test("an image on any other host is still sent for Gemini to fetch", async () => {
    const r = await sendChat(vendors.gemini, { model: "m", messages: ask({ type: "image_url", image_url: { url: "https://example.com/v1beta/files/cat.png" } }) });
    expect(r.refused).toBe(false);
    expect(r.sent.contents[0].parts[1]).toEqual({ fileData: { mimeType: "image/png", fileUri: "https://example.com/v1beta/files/cat.png" } });
  });
});
