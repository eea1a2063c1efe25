/**
 * One reading of a `data:` URL's header for the parser and the adapters (image-data-url.ts
 * parseDataUrl), as RFC 2397 writes it: `data:[<mediatype>][;base64],<data>`, the media type with its
 * `;parameter`s (`data:image/png;name=a.png;base64,`), and the scheme and the base64 token in any case
 * (RFC 3986 §3.1: schemes are case-insensitive; RFC 2397's tokens likewise). When the parser took a
 * header the adapters could not read, an alias chaining Anthropic with OpenAI skipped Anthropic (its
 * refusal is vendor-specific) and sent good data to OpenAI; and a `DATA:` URL was not checked at parse.
 */
import { describe, expect, test } from "bun:test";
import { parseDataUrl } from "./image-data-url.ts";
import { ONE_PIXEL_PNG as PNG } from "./testing/one-pixel-png.ts";
import { fakeDeployment, useVendorProxy } from "./testing/use-vendor-proxy.ts";

const t = useVendorProxy({
  fakes: ["anthropic", "gemini"],
  configure(s) {
    s.deployments.dep_claude = fakeDeployment("dep_claude", "anthropic", t.anthropic.url, "claude-fake");
    s.deployments.dep_gemini = fakeDeployment("dep_gemini", "gemini", t.gemini.url, "gemini-fake");
    s.aliases.claude_then_openai = { name: "claude_then_openai", chain: ["dep_claude", "dep_echo1"] };
    s.aliases.gemini_only = { name: "gemini_only", chain: ["dep_gemini"] };
  },
});

const PDF = Buffer.from("%PDF-1.4\n%%EOF\n").toString("base64");
const HEADERS = ["data:image/png;name=a.png;base64,", "data:;BASE64,", "DATA:image/png;base64,", "Data:Image/PNG;Charset=x;Base64,"];

const post = (model: string, part: unknown) =>
  t.post({ model, messages: [{ role: "user", content: [{ type: "text", text: "what is this?" }, part] }] });
const image = (url: string) => ({ type: "image_url", image_url: { url } });

describe("parseDataUrl", () => {
  test("takes parameters before ;base64 and any case of the scheme and the token; the media type is lower-cased", () => {
    expect(parseDataUrl("data:image/png;name=a.png;base64,QUJD")).toEqual({ mediaType: "image/png", data: "QUJD" });
    expect(parseDataUrl("data:;BASE64,QUJD")).toEqual({ mediaType: "", data: "QUJD" });
    expect(parseDataUrl("DATA:Application/PDF;Base64,QUJD")).toEqual({ mediaType: "application/pdf", data: "QUJD" });
    expect(parseDataUrl("data:image/png;a=1;b=2;base64,")).toEqual({ mediaType: "image/png", data: "" });
  });

  test("refuses what is no base64 data URL: no ;base64 last in the header, no comma, another scheme", () => {
    for (const url of ["data:image/svg+xml,%3Csvg%3E", "data:image/png;base64;name=a,QUJD", "data:image/png;base64", "data:image/png;base64x,QUJD", "https://example.com/a.png", " data:image/png;base64,QUJD"]) {
      expect({ url, parsed: parseDataUrl(url) }).toEqual({ url, parsed: null });
    }
  });

  // A regular expression over the header backtracked on these (hundreds of ms each) and answered
  // null past ~4M characters; each must still be read as what it is, whatever the header's length.
  test("reads a header of millions of ';' parts: a base64 one taken, others refused", () => {
    expect(parseDataUrl(`data:image/png${";a".repeat(2_500_000)};base64,QUJD`)).toEqual({ mediaType: "image/png", data: "QUJD" });
    expect(parseDataUrl(`data:${";".repeat(1 << 20)};base64,QUJD`)).toEqual({ mediaType: "", data: "QUJD" });
    expect(parseDataUrl(`data:${";".repeat(1 << 20)},x`)).toBeNull();
    expect(parseDataUrl(`data:${";a".repeat(1 << 19)},x`)).toBeNull();
  });
});

describe("a data URL header with parameters or in another case", () => {
  for (const header of HEADERS) {
    test(`${header}: an image is taken by Anthropic on [anthropic, openai], not skipped`, async () => {
      const [echo, anthropic] = [t.fx.vendor.calls(), t.anthropic.calls()];
      expect((await post("claude_then_openai", image(`${header}${PNG}`))).status).toBe(200);
      expect([t.fx.vendor.calls(), t.anthropic.calls()]).toEqual([echo, anthropic + 1]);
    });
  }

  test("a PDF with a parameter is taken by Anthropic", async () => {
    const [echo, anthropic] = [t.fx.vendor.calls(), t.anthropic.calls()];
    expect((await post("claude_then_openai", { type: "file", file: { file_data: `data:application/pdf;name=a.pdf;base64,${PDF}` } })).status).toBe(200);
    expect([t.fx.vendor.calls(), t.anthropic.calls()]).toEqual([echo, anthropic + 1]);
  });

  test("Gemini takes a DATA: image", async () => {
    const gemini = t.gemini.calls();
    expect((await post("gemini_only", image(`DATA:image/png;base64,${PNG}`))).status).toBe(200);
    expect(t.gemini.calls()).toBe(gemini + 1);
  });

  test("a DATA: URL whose data is no base64 is refused at parse like a data: one, no vendor called", async () => {
    const [echo, anthropic] = [t.fx.vendor.calls(), t.anthropic.calls()];
    const res = await post("claude_then_openai", image("DATA:image/png;base64,%%%"));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { param: string } }).error.param).toBe("messages[0].content[1].image_url.url");
    expect([t.fx.vendor.calls(), t.anthropic.calls()]).toEqual([echo, anthropic]);
  });
});
