/**
 * An image URL after or before whitespace (' data:image/png;base64,...', ' https://...'): the parser
 * reads a media URL trimmed (media-url.ts mediaUrlProblem, inline-data.ts) and lets it pass, so the
 * translating adapters read it trimmed too, as pdf-file-data.ts readPdfFile does a file_data URL: not
 * refused as 'Image URLs must be http(s) or base64 data URLs' (untrue) with the walk moving on.
 */
import { describe, expect, test } from "bun:test";
import { useClaudeAndGeminiBehindProxy } from "../providers/testing/claude-and-gemini-behind-proxy.ts";
import { ONE_PIXEL_PNG as PNG } from "../providers/testing/one-pixel-png.ts";

const t = useClaudeAndGeminiBehindProxy({ claude: "claude-fake", gemini: "gemini-2.5-flash" }, { claude_only: ["dep_claude"], gemini_only: ["dep_gemini"], claude_then_openai: ["dep_claude", "dep_echo1"] });

const post = (model: string, url: string) => t.post({ model, messages: [{ role: "user", content: [{ type: "text", text: "what is this?" }, { type: "image_url", image_url: { url } }] }] });
const sentParts = (body: unknown, key: "anthropic" | "gemini"): unknown[] =>
  key === "anthropic"
    ? (body as { messages: { content: unknown[] }[] }).messages[0]!.content
    : (body as { contents: { parts: unknown[] }[] }).contents.flatMap((c) => c.parts);

describe("an image URL with whitespace around it", () => {
  test("Anthropic is sent it trimmed and answers; on [anthropic, openai] the walk stays with Anthropic", async () => {
    const [echo, anthropic] = [t.fx.vendor.calls(), t.anthropic.calls()];
    const res = await post("claude_only", ` data:image/png;base64,${PNG}`);
    expect(res.status).toBe(200);
    expect(sentParts(t.anthropic.lastRequest()!.body, "anthropic")).toContainEqual({ type: "image", source: { type: "base64", media_type: "image/png", data: PNG } });
    expect((await post("claude_only", " https://example.com/cat.png\n")).status).toBe(200);
    expect(sentParts(t.anthropic.lastRequest()!.body, "anthropic")).toContainEqual({ type: "image", source: { type: "url", url: "https://example.com/cat.png" } });
    const walked = await post("claude_then_openai", `\tdata:image/png;base64,${PNG}`);
    expect({ status: walked.status, attempts: walked.headers.get("x-gateway-attempts") }).toEqual({ status: 200, attempts: "1" });
    expect([t.fx.vendor.calls(), t.anthropic.calls()]).toEqual([echo, anthropic + 3]);
  });

  test("Gemini is sent it trimmed and answers", async () => {
    expect((await post("gemini_only", ` data:image/png;base64,${PNG}`)).status).toBe(200);
    expect(sentParts(t.gemini.lastRequest()!.body, "gemini")).toContainEqual({ inlineData: { mimeType: "image/png", data: PNG } });
    expect((await post("gemini_only", " https://example.com/cat.png ")).status).toBe(200);
    expect(sentParts(t.gemini.lastRequest()!.body, "gemini")).toContainEqual({ fileData: { mimeType: "image/png", fileUri: "https://example.com/cat.png" } });
  });
});
