/**
 * Inline data that no vendor can read (an image data URL that is not base64, holds no data or data
 * that is no base64; a file part with no file object or no file_data, or whose data is no base64) is
 * refused while the request is parsed, for every vendor alike: before the walk, so an alias chaining
 * Anthropic with OpenAI does not skip Anthropic's refusal (a vendor-specific one would be skipped,
 * walk-chain.ts) and send the request to OpenAI, which passes it through and answers its own 400
 * ("Invalid image URL: ... Expected a base64-encoded data URL with an image MIME type ..."). What only
 * one vendor refuses (an image type Anthropic does not take) still moves on to the next deployment.
 */
import { describe, expect, test } from "bun:test";
import { ONE_PIXEL_PNG as PNG } from "../providers/testing/one-pixel-png.ts";
import { fakeDeployment, useVendorProxy } from "../providers/testing/use-vendor-proxy.ts";
import { parseChatRequest } from "./parse-request.ts";

const t = useVendorProxy({
  fakes: ["anthropic"],
  configure(s) {
    s.deployments.dep_claude = fakeDeployment("dep_claude", "anthropic", t.anthropic.url, "claude-fake");
    s.aliases.claude_then_openai = { name: "claude_then_openai", chain: ["dep_claude", "dep_echo1"] };
  },
});

const PDF = Buffer.from("%PDF-1.4\n%%EOF\n").toString("base64");
const NOT_BASE64 = "only A-Z, a-z, 0-9, + and / (or base64url's - and _), optionally padded with = to a multiple of 4 characters";
const image = (url: string) => ({ type: "image_url", image_url: { url } });
const post = (model: string, part: unknown) =>
  t.post({ model, messages: [{ role: "user", content: [{ type: "text", text: "what is this?" }, part] }] });
const refusal = async (res: Response) => {
  const body = (await res.json()) as { error?: { param?: string; message?: string } };
  return { status: res.status, param: body.error?.param, message: body.error?.message, attempts: res.headers.get("x-gateway-attempts") };
};

const MALFORMED: [string, unknown, string, string][] = [
  ["image data that is no base64", image("data:image/png;base64,<svg onload=alert(1)>"), "messages[0].content[1].image_url.url", `the image data is not base64: ${NOT_BASE64}`],
  ["image data of a length no base64 has", image(`data:image/png;base64,${PNG}A`), "messages[0].content[1].image_url.url", `the image data is not base64: ${NOT_BASE64}`],
  ["an image data URL with no data", image("data:image/png;base64,"), "messages[0].content[1].image_url.url", "the image data URL holds no data after 'base64,'"],
  ["an image data URL that is not base64 encoded", image("data:image/svg+xml,%3Csvg%3E%3C/svg%3E"), "messages[0].content[1].image_url.url", "an image data URL must be base64 encoded: data:<type>;base64,<data>"],
  // media-url.ts reads a URL trimmed, so leading whitespace must not take a data: URL past this check.
  ["an image data URL after whitespace, its data no base64", image(" \tdata:image/png;base64,!!!"), "messages[0].content[1].image_url.url", `the image data is not base64: ${NOT_BASE64}`],
  ["a file part whose file is no object", { type: "file", file: "a.pdf" }, "messages[0].content[1].file", "expected an object holding file_data"],
  ["a file part without file_data", { type: "file", file: { filename: "a.pdf" } }, "messages[0].content[1].file.file_data", "expected the file's data as a base64 data: URL (data:application/pdf;base64,...)"],
  ["file data that is no base64", { type: "file", file: { file_data: "data:application/pdf;base64,%%%" } }, "messages[0].content[1].file.file_data", `the file data is not base64: ${NOT_BASE64}`],
  ["bare file data that is no base64", { type: "file", file: { file_data: "%PDF-1.4" } }, "messages[0].content[1].file.file_data", `the file data is not base64: ${NOT_BASE64}`],
  ["a file data URL that is not base64 encoded", { type: "file", file: { file_data: "data:application/pdf,%PDF-1.4" } }, "messages[0].content[1].file.file_data", "a file data URL must be base64 encoded: data:<type>;base64,<data>"],
];

describe("inline data no vendor can read, on [Anthropic, OpenAI]", () => {
  for (const [what, part, param, problem] of MALFORMED) {
    test(`${what}: the gateway's 400 naming ${param}, no vendor called`, async () => {
      const [echo, anthropic] = [t.fx.vendor.calls(), t.anthropic.calls()];
      expect(await refusal(await post("claude_then_openai", part))).toEqual({ status: 400, param, message: `Invalid '${param}': ${problem}.`, attempts: "0" });
      expect([t.fx.vendor.calls(), t.anthropic.calls()]).toEqual([echo, anthropic]);
    });
  }

  test("an OpenAI-only alias refuses it alike, before the call", async () => {
    const echo = t.fx.vendor.calls();
    expect(await refusal(await post("chat", image("data:image/png;base64,%%%")))).toMatchObject({ status: 400, param: "messages[0].content[1].image_url.url" });
    expect(t.fx.vendor.calls()).toBe(echo);
  });

  test("what only Anthropic refuses still moves on to OpenAI: bytes of no image type Anthropic takes", async () => {
    const [echo, anthropic] = [t.fx.vendor.calls(), t.anthropic.calls()];
    const { status } = await post("claude_then_openai", image("data:image/jpeg;base64,AAAAAAAA"));
    expect(status).toBe(200);
    // Refused by the Anthropic adapter before its call; answered by OpenAI.
    expect([t.fx.vendor.calls(), t.anthropic.calls()]).toEqual([echo + 1, anthropic]);
  });

  test("well-formed inline data is taken by Anthropic", async () => {
    const anthropic = t.anthropic.calls();
    expect((await post("claude_then_openai", image(`data:image/png;base64,${PNG}`))).status).toBe(200);
    expect((await post("claude_then_openai", { type: "file", file: { file_data: `data:application/pdf;base64,${PDF}` } })).status).toBe(200);
    expect(t.anthropic.calls()).toBe(anthropic + 2);
  });
});

test("the parser takes base64 as every adapter reads it: unpadded, base64url, MIME line breaks, parameters before ;base64", () => {
  const parsed = (part: unknown) => parseChatRequest({ model: "m", messages: [{ role: "user", content: [part] }] }).ok;
  for (const url of [`data:image/png;base64,${PNG.replace(/=+$/, "")}`, "data:image/jpeg;base64,_9j-4AAQ", `data:image/png;base64,${PNG.slice(0, 20)}\r\n${PNG.slice(20)}`, `data:image/png;name=a.png;base64,${PNG}`, `data:;BASE64,${PNG}`]) {
    expect({ url, ok: parsed(image(url)) }).toEqual({ url, ok: true });
  }
  expect(parsed({ type: "file", file: { file_data: PDF } })).toBe(true);
  expect(parsed(image("https://example.com/a.png"))).toBe(true);
});
