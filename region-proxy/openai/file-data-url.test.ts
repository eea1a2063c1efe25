/**
 * A file part's `file_data` may be an http(s) URL of the file, as OpenRouter documents it
 * (openrouter.ai/docs/features/multimodal/pdfs: `file: {filename, file_data: "https://...pdf"}`): such
 * a URL is a media URL, held to the rule image URLs are (media-url.ts: no private, loopback or
 * link-local host, the cloud metadata endpoint among them, unless ALLOW_PRIVATE_MEDIA_URLS; no
 * credentials), a 400 naming file.file_data for every vendor; one that passes is sent on as is to an
 * OpenAI-format deployment, to Anthropic as a document block with a url source (its PDF guide's
 * URL-based PDF document, https://platform.claude.com/docs/en/build-with-claude/pdf-support) and to
 * Gemini as fileData of application/pdf (the Gemini API fetches external https URLs, as it does an
 * image URL the adapter sends so).
 */
import { describe, expect, test } from "bun:test";
import { readPdfFile } from "../providers/pdf-file-data.ts";
import { useClaudeAndGeminiBehindProxy } from "../providers/testing/claude-and-gemini-behind-proxy.ts";
import { parseChatRequest } from "./parse-request.ts";

const t = useClaudeAndGeminiBehindProxy({ claude: "claude-fake", gemini: "gemini-fake" }, { claude_only: ["dep_claude"], gemini_only: ["dep_gemini"], claude_then_openai: ["dep_claude", "dep_echo1"] });

const PARAM = "messages[0].content[1].file.file_data";
const filePart = (fileData: string) => ({ type: "file", file: { filename: "paper.pdf", file_data: fileData } });
const post = (model: string, fileData: string) => t.post({ model, messages: [{ role: "user", content: [{ type: "text", text: "summarize" }, filePart(fileData)] }] });
const answer = async (res: Response) => {
  const body = (await res.json()) as { error?: { param?: string; message?: string } };
  return { status: res.status, param: body.error?.param, message: body.error?.message ?? "" };
};
const calls = () => [t.fx.vendor.calls(), t.anthropic.calls(), t.gemini.calls()];

describe("an http(s) URL in file.file_data", () => {
  test("a public https URL reaches an OpenAI-format deployment as sent (OpenRouter's form)", async () => {
    const echo = t.fx.vendor.calls();
    expect((await answer(await post("chat", "https://example.com/paper.pdf"))).status).toBe(200);
    expect(t.fx.vendor.calls()).toBe(echo + 1);
  });

  const REFUSED: [string, string, string][] = [
    ["the cloud metadata endpoint", "http://169.254.169.254/latest/meta-data/", "link-local"],
    ["a private-network host", "https://10.0.0.5/a.pdf", "private-network"],
    ["a local name", "http://minio.storage.svc.cluster.local:9000/a.pdf", "local name"],
    ["credentials", "https://user:secret@example.com/a.pdf", "credentials"],
  ];
  for (const [what, url, words] of REFUSED) {
    for (const model of ["chat", "claude_then_openai"]) {
      test(`${what} on ${model}: the media URL rule's 400 naming file.file_data, no vendor called`, async () => {
        const before = calls();
        const got = await answer(await post(model, url));
        expect({ status: got.status, param: got.param }).toEqual({ status: 400, param: PARAM });
        expect(got.message).toContain(words);
        expect(calls()).toEqual(before);
      });
    }
  }

  test("ALLOW_PRIVATE_MEDIA_URLS lets a private host through, as for image URLs; credentials stay refused", () => {
    const parsed = (url: string, allowPrivateMediaUrls: boolean) => parseChatRequest({ model: "m", messages: [{ role: "user", content: [filePart(url)] }] }, { allowPrivateMediaUrls }).ok;
    expect(parsed("http://10.0.0.5/a.pdf", false)).toBe(false);
    expect(parsed("http://10.0.0.5/a.pdf", true)).toBe(true);
    expect(parsed("https://user:secret@example.com/a.pdf", true)).toBe(false);
  });

  test("Anthropic is sent it as a document block with a url source, its filename the title; on [anthropic, openai] Anthropic answers", async () => {
    const [echo, anthropic] = [t.fx.vendor.calls(), t.anthropic.calls()];
    expect((await answer(await post("claude_only", "https://example.com/paper.pdf"))).status).toBe(200);
    const sent = (t.anthropic.lastRequest()!.body as { messages: { content: unknown[] }[] }).messages[0]!.content;
    expect(sent).toContainEqual({ type: "document", source: { type: "url", url: "https://example.com/paper.pdf" }, title: "paper.pdf" });
    expect((await answer(await post("claude_then_openai", "https://example.com/paper.pdf"))).status).toBe(200);
    expect([t.fx.vendor.calls(), t.anthropic.calls()]).toEqual([echo, anthropic + 2]);
  });

  test("Gemini is sent it as fileData of application/pdf", async () => {
    const gemini = t.gemini.calls();
    expect((await answer(await post("gemini_only", "https://example.com/paper.pdf"))).status).toBe(200);
    expect(t.gemini.calls()).toBe(gemini + 1);
    const parts = (t.gemini.lastRequest()!.body as { contents: { parts: unknown[] }[] }).contents.flatMap((c) => c.parts);
    expect(parts).toContainEqual({ fileData: { mimeType: "application/pdf", fileUri: "https://example.com/paper.pdf" } });
  });
});

test("readPdfFile gives an http(s) URL as a URL (trimmed, as the parser checked it), data as data", () => {
  expect(readPdfFile(filePart(" HTTPS://example.com/paper.pdf") as never, "messages[0].content[1]", "Anthropic")).toEqual({ url: "HTTPS://example.com/paper.pdf" });
  const pdf = Buffer.from("%PDF-1.4\n%%EOF\n").toString("base64");
  expect(readPdfFile(filePart(`data:application/pdf;base64,${pdf}`) as never, "messages[0].content[1]", "Gemini")).toEqual({ data: pdf });
});

test("'https:' without '//' is no http(s) URL in file_data (the adapters' one reading, isHttpUrl): refused at parse as data, never sent by URL", async () => {
  const before = calls();
  const got = await answer(await post("claude_then_openai", "https:example.com/paper.pdf"));
  expect({ status: got.status, param: got.param }).toEqual({ status: 400, param: PARAM });
  expect(got.message).toContain("base64");
  expect(calls()).toEqual(before);
  expect(() => readPdfFile(filePart("https:example.com/paper.pdf") as never, "messages[0].content[1]", "Anthropic")).toThrow(expect.objectContaining({ param: PARAM }));
});
