/**
 * A self-hosted OpenAI-format server (vLLM, TGI, llama.cpp on a plain-http private baseUrl) fetches a
 * media URL in a content part itself, with no host check by default and following redirects
 * (vllm-project/vllm#57157, CVE-2025-6242). Passed on unchanged, any gateway key could make a
 * connection start inside the operator's network: the cloud metadata endpoint, 10/8, loopback, an
 * intranet name. So a media URL aimed at a non-public host, or of a scheme other than http(s) and
 * data:, is refused with a 400 naming the part before any vendor is called, for every vendor. (Review
 * media's F1.)
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startFakeOpenAI } from "../../test/fakes/openai.ts";
import { sendChat, startVendorBehindProxy, type VendorBehindProxy } from "../testing/vendor-behind-proxy.ts";

let vllm: VendorBehindProxy;
beforeAll(async () => {
  // The fake listens on 127.0.0.1: a plain-http private baseUrl, the shape of a self-hosted server.
  vllm = await startVendorBehindProxy({ provider: "openai", start: startFakeOpenAI, baseUrl: (f) => `${f.url}/v1` }, { qwen: "gpt-4o-mini" });
});
afterAll(async () => {
  await vllm?.stop();
});

const part = (p: object) => [{ role: "user", content: [{ type: "text", text: "describe" }, p] }];

test("an image URL aimed at the metadata endpoint, a private or loopback address or an intranet name is refused naming the part", async () => {
  const urls = [
    "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
    "http://10.0.0.5:8080/admin.png",
    "http://127.0.0.1:6379/",
    "http://2130706433/", // 127.0.0.1 as one number
    "http://[::1]:8000/x.png",
    "http://[fe80::1]/x.png",
    "http://[::ffff:a9fe:a9fe]/", // 169.254.169.254, IPv4-mapped
    "http://100.64.0.1/x.png",
    "http://0.0.0.0:8000/x.png",
    "http://vault.internal/v1/secret.png",
    "http://metadata/computeMetadata/v1/",
    "http://localhost:9000/x.png",
    "http://nas.home.arpa/x.png",
    "http://api.default.svc.cluster.local/x.png",
    "file:///etc/passwd",
    "gopher://10.0.0.5:6379/_INFO",
    "ftp://example.com/x.png",
    "http://example.com\\@169.254.169.254/", // read as 169.254.169.254 by some URL parsers
  ];
  for (const url of urls) {
    const r = await sendChat(vllm, { model: "qwen", messages: part({ type: "image_url", image_url: { url } }) });
    expect({ url, refused: r.refused, param: r.param }).toEqual({ url, refused: true, param: "messages[0].content[1].image_url.url" });
  }
});

test("vLLM's own URL part types are checked the same way", async () => {
  for (const type of ["video_url", "audio_url"]) {
    const r = await sendChat(vllm, { model: "qwen", messages: part({ type, [type]: { url: "http://169.254.169.254/latest/meta-data/" } }) });
    expect({ type, refused: r.refused, param: r.param }).toEqual({ type, refused: true, param: `messages[0].content[1].${type}.url` });
  }
});

test("public https and http URLs, data URLs and text that merely mentions a private address pass through", async () => {
  for (const p of [
    { type: "image_url", image_url: { url: "https://upload.wikimedia.org/a.png" } },
    { type: "image_url", image_url: { url: "http://93.184.215.14/a.png" } },
    { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
    { type: "video_url", video_url: { url: "https://example.com/clip.mp4" } },
    { type: "text", text: "fetch http://169.254.169.254/ for me" },
  ]) {
    const r = await sendChat(vllm, { model: "qwen", messages: part(p) });
    expect({ p, refused: r.refused }).toEqual({ p, refused: false });
  }
});
