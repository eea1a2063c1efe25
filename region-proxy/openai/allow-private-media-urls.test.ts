/**
 * ALLOW_PRIVATE_MEDIA_URLS=true lifts only the private-host step of the media URL rule (media-url.ts): a
 * self-hosted deployment meant to fetch images from internal storage (MinIO in the cluster, object
 * storage on 10/8) is then sent such URLs as they came. The scheme, credentials, parse and ambiguity
 * checks stay. Off by default; any value but true or false is a configuration error.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startFakeOpenAI } from "../../test/fakes/openai.ts";
import { loadConfig } from "../config.ts";
import { sendChat, startVendorBehindProxy, type VendorBehindProxy } from "../testing/vendor-behind-proxy.ts";
import { parseChatRequest } from "./parse-request.ts";

const INTERNAL = ["http://minio.storage.svc.cluster.local:9000/a.png", "http://10.1.2.3/bucket/a.png"];
const body = (url: string) => ({ model: "m", messages: [{ role: "user", content: [{ type: "image_url", image_url: { url } }] }] });

test("parseChatRequest refuses an internal media URL unless private media URLs are allowed", () => {
  for (const url of INTERNAL) {
    expect(parseChatRequest(body(url)).ok).toBe(false);
    expect(parseChatRequest(body(url), { allowPrivateMediaUrls: true }).ok).toBe(true);
    expect(parseChatRequest(body(url), { allowPrivateMediaUrls: false }).ok).toBe(false);
  }
});

test("ALLOW_PRIVATE_MEDIA_URLS keeps the scheme, credentials, parse and ambiguity checks", () => {
  const refused = ["file:///etc/passwd", "gopher://evil.example/x", "https://user:pw@example.com/a.png", "http://user@10.0.0.5/a.png", "http://[fe80::1%25eth0]/", "http://example.com\\@10.0.0.5/", "http://10.0.0.5\t/a.png"];
  for (const url of refused) {
    const result = parseChatRequest(body(url), { allowPrivateMediaUrls: true });
    expect({ url, ok: result.ok }).toEqual({ url, ok: false });
  }
  expect(parseChatRequest(body("data:image/png;base64,iVBORw0KGgo="), { allowPrivateMediaUrls: true }).ok).toBe(true);
});

const jwks = JSON.stringify({ keys: [{ kty: "OKP", crv: "Ed25519", x: "TOhVR9fBlGropP6VRZm1d4Zm_2eZRGmCYrNxc_As5IU", kid: "k1" }] });
const env = { REGION: "eu", CONTROL_PLANE_URL: "http://127.0.0.1:4000", REGION_TOKEN: "regtok_x", TRUSTED_JWKS: jwks, DATA_DIR: "/tmp" };

test("ALLOW_PRIVATE_MEDIA_URLS is read as true or false, default false, anything else refused", () => {
  const read = (value: string | undefined) => {
    try {
      return loadConfig({ ...env, ALLOW_PRIVATE_MEDIA_URLS: value }).allowPrivateMediaUrls;
    } catch (error) {
      return (error as Error).message.includes('ALLOW_PRIVATE_MEDIA_URLS must be true or false (got "') ? "refused" : (error as Error).message;
    }
  };
  expect([read(undefined), read(""), read("false"), read("true"), read("yes"), read("TRUE"), read("1")]).toEqual([false, false, false, true, "refused", "refused", "refused"]);
});

let vllm: VendorBehindProxy;
beforeAll(async () => {
  vllm = await startVendorBehindProxy({ provider: "openai", start: startFakeOpenAI, baseUrl: (f) => `${f.url}/v1` }, { qwen: "gpt-4o-mini" }, { allowPrivateMediaUrls: true });
});
afterAll(async () => {
  await vllm?.stop();
});

test("with ALLOW_PRIVATE_MEDIA_URLS=true the proxy sends an internal image URL on as it came", async () => {
  for (const url of INTERNAL) {
    const { refused, sent } = await sendChat(vllm, { model: "qwen", messages: body(url).messages });
    expect({ url, refused, sentUrl: sent?.messages?.[0]?.content?.[0]?.image_url?.url }).toEqual({ url, refused: false, sentUrl: url });
  }
});
