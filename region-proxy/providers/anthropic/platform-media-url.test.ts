/**
 * Anthropic's vision guide: "On Amazon Bedrock and Google Cloud, only base64-encoded sources are
 * currently available" (https://platform.claude.com/docs/en/build-with-claude/vision); Claude on Bedrock
 * fails an http image URL (pollinations/pollinations#5862). An image URL or a PDF by URL went to a
 * Bedrock or Vertex form of id as a url source, and the platform's 400 ended the walk. Now on such an id
 * it is refused before the call, naming the field, so a chain skips the deployment; inline data is
 * still sent, and an Anthropic id still gets the url source. Through the proxy with the fake Anthropic.
 */
import { expect, test } from "bun:test";
import { ONE_PIXEL_PNG as PNG } from "../testing/one-pixel-png.ts";
import { fakeDeployment, useVendorProxy } from "../testing/use-vendor-proxy.ts";

const t = useVendorProxy({
  fakes: ["anthropic"],
  configure(s) {
    s.deployments.dep_bedrock = fakeDeployment("dep_bedrock", "anthropic", t.anthropic.url, "us.anthropic.claude-sonnet-4-5-20250929-v1:0");
    s.deployments.dep_vertex = fakeDeployment("dep_vertex", "anthropic", t.anthropic.url, "claude-haiku-4-5@20251001");
    s.deployments.dep_sonnet45 = fakeDeployment("dep_sonnet45", "anthropic", t.anthropic.url, "claude-sonnet-4-5");
    s.aliases.bedrock = { name: "bedrock", chain: ["dep_bedrock"] };
    s.aliases.vertex = { name: "vertex", chain: ["dep_vertex"] };
    s.aliases.sonnet = { name: "sonnet", chain: ["dep_sonnet45"] };
    s.aliases.bedrock_then_sonnet = { name: "bedrock_then_sonnet", chain: ["dep_bedrock", "dep_sonnet45"] };
  },
});

const image = (url: string) => ({ type: "image_url", image_url: { url } });
const pdf = (file_data: string) => ({ type: "file", file: { file_data, filename: "a.pdf" } });
const post = (model: string, part: unknown) =>
  t.post({ model, messages: [{ role: "user", content: "hi" }, { role: "assistant", content: "hello" }, { role: "user", content: [{ type: "text", text: "what is this?" }, part] }] });
const sentParts = () => (t.anthropic.lastRequest()!.body as { messages: { content: unknown[] }[] }).messages.at(-1)!.content;

test("on a Bedrock or Vertex id an image URL or a PDF by URL is a 400 naming the field, before any call", async () => {
  for (const model of ["bedrock", "vertex"]) {
    for (const [part, param] of [
      [image("https://example.com/cat.png"), "messages[2].content[1].image_url.url"],
      [pdf("https://example.com/paper.pdf"), "messages[2].content[1].file.file_data"],
    ] as const) {
      const calls = t.anthropic.calls();
      const res = await post(model, part);
      const body = (await res.json()) as { error: { param: string; message: string } };
      expect([model, res.status, body.error.param, t.anthropic.calls()]).toEqual([model, 400, param, calls]);
      expect(body.error.message).toContain("base64");
    }
  }
});

test("on [bedrock, sonnet] the Bedrock deployment is skipped and Anthropic's own id is sent the url source", async () => {
  for (const [part, block] of [
    [image("https://example.com/cat.png"), { type: "image", source: { type: "url", url: "https://example.com/cat.png" } }],
    [pdf("https://example.com/paper.pdf"), { type: "document", source: { type: "url", url: "https://example.com/paper.pdf" }, title: "a.pdf" }],
  ] as const) {
    const calls = t.anthropic.calls();
    const res = await post("bedrock_then_sonnet", part);
    expect([res.status, res.headers.get("x-gateway-model"), t.anthropic.calls()]).toEqual([200, "claude-sonnet-4-5", calls + 1]);
    expect(sentParts()).toContainEqual(block);
  }
});

test("inline data still goes to a Bedrock or Vertex id", async () => {
  for (const model of ["bedrock", "vertex"]) {
    const res = await post(model, image(`data:image/png;base64,${PNG}`));
    expect([model, res.status]).toEqual([model, 200]);
    expect(sentParts()).toContainEqual({ type: "image", source: { type: "base64", media_type: "image/png", data: PNG } });
  }
});
