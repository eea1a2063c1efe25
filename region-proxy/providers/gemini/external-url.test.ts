/**
 * A media URL Gemini would fetch (an image_url's http(s) URL, a file part's PDF by URL), sent as
 * fileData.fileUri: Gemini 2.0 and older models refuse an external URL with 400 INVALID_ARGUMENT
 * "Invalid or unsupported file uri: https://..." (BoundaryML/baml#1548 on gemini-2.0-flash, an image
 * URL; googleapis/python-genai#71 on gemini-1.5-flash); Gemini fetches external URLs from 2.5 on, over
 * https (vercel/ai#13045 and #16757 send them to Gemini 2.5+ and 3.x, the 2.0 family and plain http
 * excluded; blog.google "HTTPS/Signed URLs"). So such a URL is refused before the call there, naming
 * the part (a chain moves on), and Gemini's own words name `messages` if it answers them.
 */
import { describe, expect, test } from "bun:test";
import { ONE_PIXEL_PNG as PNG } from "../testing/one-pixel-png.ts";
import { fakeDeployment, useVendorProxy } from "../testing/use-vendor-proxy.ts";
import { classifyGeminiError } from "./errors.ts";

const t = useVendorProxy({
  fakes: ["gemini"],
  configure(s) {
    s.deployments.dep_g20 = fakeDeployment("dep_g20", "gemini", t.gemini.url, "gemini-2.0-flash");
    s.deployments.dep_g15 = fakeDeployment("dep_g15", "gemini", t.gemini.url, "gemini-1.5-pro");
    s.deployments.dep_g25 = fakeDeployment("dep_g25", "gemini", t.gemini.url, "gemini-2.5-flash");
    s.deployments.dep_latest = fakeDeployment("dep_latest", "gemini", t.gemini.url, "gemini-flash-latest");
    s.aliases.g20 = { name: "g20", chain: ["dep_g20"] };
    s.aliases.g15 = { name: "g15", chain: ["dep_g15"] };
    s.aliases.g25 = { name: "g25", chain: ["dep_g25"] };
    s.aliases.latest = { name: "latest", chain: ["dep_latest"] };
    s.aliases.g20_then_openai = { name: "g20_then_openai", chain: ["dep_g20", "dep_echo1"] };
  },
});

const image = (url: string) => ({ type: "image_url", image_url: { url } });
const pdf = (url: string) => ({ type: "file", file: { filename: "paper.pdf", file_data: url } });
const post = (model: string, part: unknown) =>
  t.post({ model, messages: [{ role: "user", content: [{ type: "text", text: "what is this?" }, part] }] });
const answer = async (res: Response) => {
  const body = (await res.json()) as { error?: { param?: string; message?: string } };
  return { status: res.status, param: body.error?.param, message: body.error?.message ?? "" };
};

const IMAGE_PARAM = "messages[0].content[1].image_url.url";
const FILE_PARAM = "messages[0].content[1].file.file_data";

describe("a media URL on Gemini 2.0 and older: refused before the call, naming the part", () => {
  for (const model of ["g20", "g15"]) {
    for (const [what, part, param] of [["an image URL", image("https://example.com/cat.png"), IMAGE_PARAM], ["a PDF by URL", pdf("https://example.com/paper.pdf"), FILE_PARAM]] as const) {
      test(`${what} on ${model}`, async () => {
        const gemini = t.gemini.calls();
        const got = await answer(await post(model, part));
        expect({ status: got.status, param: got.param }).toEqual({ status: 400, param });
        expect(got.message).toContain("Gemini 2.5");
        expect(t.gemini.calls()).toBe(gemini);
      });
    }
  }

  test("on [gemini-2.0, openai] the chain moves on to OpenAI", async () => {
    const [echo, gemini] = [t.fx.vendor.calls(), t.gemini.calls()];
    expect((await post("g20_then_openai", image("https://example.com/cat.png"))).status).toBe(200);
    expect([t.fx.vendor.calls(), t.gemini.calls()]).toEqual([echo + 1, gemini]);
  });

  test("inline data is still sent to Gemini 2.0", async () => {
    const gemini = t.gemini.calls();
    expect((await post("g20", image(`data:image/png;base64,${PNG}`))).status).toBe(200);
    expect(t.gemini.calls()).toBe(gemini + 1);
  });
});

describe("Gemini 2.5 and later, and an id naming no version", () => {
  for (const model of ["g25", "latest"]) {
    test(`${model}: an https image URL and PDF URL are sent as fileData`, async () => {
      const gemini = t.gemini.calls();
      expect((await post(model, image("https://example.com/cat.png"))).status).toBe(200);
      expect((await post(model, pdf("https://example.com/paper.pdf"))).status).toBe(200);
      expect(t.gemini.calls()).toBe(gemini + 2);
    });
  }

  test("a plain http: URL is refused before the call (Gemini fetches https only), image and PDF alike", async () => {
    const gemini = t.gemini.calls();
    for (const [part, param] of [[image("http://example.com/cat.png"), IMAGE_PARAM], [pdf("HTTP://example.com/paper.pdf"), FILE_PARAM]] as const) {
      const got = await answer(await post("g25", part));
      expect({ status: got.status, param: got.param }).toEqual({ status: 400, param });
      expect(got.message).toContain("https");
    }
    expect(t.gemini.calls()).toBe(gemini);
  });
});

test("Gemini's 'Invalid or unsupported file uri' 400 names messages", () => {
  const body = JSON.stringify({ error: { code: 400, message: "Invalid or unsupported file uri: https://example.com/cat.png", status: "INVALID_ARGUMENT" } });
  const got = classifyGeminiError(400, new Headers(), body);
  expect(got.clientError).toMatchObject({ kind: "vendor_rejected", status: 400, param: "messages", message: "Invalid or unsupported file uri: https://example.com/cat.png" });
  // Only at the start: a message quoting the words elsewhere names nothing.
  const quoted = JSON.stringify({ error: { code: 400, message: "Invalid value at 'contents[0]': Invalid or unsupported file uri", status: "INVALID_ARGUMENT" } });
  expect(classifyGeminiError(400, new Headers(), quoted).clientError).toMatchObject({ param: null });
});
