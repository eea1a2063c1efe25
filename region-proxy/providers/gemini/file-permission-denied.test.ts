/**
 * A request that references a Gemini Files API file the deployment's project cannot read (another
 * project's, or one past its 48 h TTL), sent by the client as image_url.url and forwarded as
 * fileData.fileUri, is answered by Google with 403 PERMISSION_DENIED "You do not have permission to
 * access the File <id> or it may not exist." (googleapis/python-genai#1218,
 * google-gemini/deprecated-generative-ai-python#692). That is the caller's request, not the gateway's
 * key: the client gets Google's 403 and message, the chain does not fall back (every deployment would
 * be sent the same URI), and the deployment's circuit stays closed (review rb B1: three such requests
 * opened every Gemini circuit of the alias for all tenants).
 *
 * Such a URI is now refused while the request is parsed (../../openai/vendor-file-references.ts,
 * review rv-parts A), before the limits step and any call: the
 * gateway's key would read a file someone else stored in the operator's Google project, and Google's
 * 403-or-answer would tell whether it exists. Google's 403 keeps its classification for any file
 * reference that still reaches it.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startFakeGemini } from "../../../test/fakes/gemini.ts";
import type { FakeVendor } from "../../../test/fakes/fake-server.ts";
import type { RunningProxy } from "../../main.ts";
import { createProxyFixture, REGION, type ProxyFixture } from "../../testing/proxy-fixture.ts";
import { fromVendorError } from "../attempt-outcome.ts";
import { parseChatRequest } from "../../openai/parse-request.ts";
import { classifyGeminiError } from "./errors.ts";

const fileUri = "https://generativelanguage.googleapis.com/v1beta/files/abc123";
const denied = "You do not have permission to access the File abc123 or it may not exist.";

test("a client's image_url pointing at a Gemini file is refused by the parser, naming it", () => {
  const parsed = parseChatRequest({ model: "a", messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: fileUri } }, { type: "text", text: "describe" }] }] });
  expect(parsed).toMatchObject({ ok: false, error: { param: "messages[0].content[0].image_url.url" } });
});

test("Google's 403 for a file the request references is the caller's error with Google's message, not a rejected credential", () => {
  const verdict = classifyGeminiError(403, new Headers(), JSON.stringify({ error: { code: 403, message: denied, status: "PERMISSION_DENIED" } }));
  expect(verdict).toEqual({ retryable: false, clientError: { kind: "vendor_rejected", status: 403, message: denied, code: "PERMISSION_DENIED", param: null }, retryAfterMs: null, reason: "status_403" });
  expect(fromVendorError(verdict).kind).toBe("permanent");
});

test("any other 403 stays the gateway's credential problem", () => {
  for (const message of ["Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.", "The caller does not have permission", `Quoted: ${denied}`]) {
    expect(classifyGeminiError(403, new Headers(), JSON.stringify({ error: { code: 403, message, status: "PERMISSION_DENIED" } })).reason).toBe("credential_rejected");
  }
});

let fx: ProxyFixture;
let gemini: FakeVendor;
let proxy: RunningProxy;
beforeAll(async () => {
  fx = await createProxyFixture();
  gemini = await startFakeGemini({ apiKey: "gemini-key" });
  await fx.publish(
    fx.snapshot(1, (s) => {
      for (const name of ["a", "b"]) s.deployments[`dep_g${name}`] = { id: `dep_g${name}`, provider: "gemini", baseUrl: gemini.url, model: `gemini-2.5-flash-${name}`, region: REGION, credentialRef: "env:GEMINI_KEY" };
      s.aliases.files = { name: "files", chain: ["dep_ga", "dep_gb"] };
    }),
  );
  proxy = await fx.startProxy({ credentials: { ECHO_KEY: "sk-echo-test", GEMINI_KEY: "gemini-key" } }); // default breaker: 3 consecutive failures
});
afterAll(async () => {
  await fx?.cleanup();
  await gemini?.stop();
});

test("through the proxy: a 400 naming the part, no call, and the circuits stay closed", async () => {
  for (let i = 0; i < 4; i++) {
    const before = gemini.calls();
    const error = (await fx
      .client(proxy)
      .chat.completions.create({ model: "files", messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: fileUri } }, { type: "text", text: "describe" }] }] })
      .catch((e: unknown) => e)) as { status: number; param: string };
    expect([error.status, error.param]).toEqual([400, "messages[0].content[0].image_url.url"]);
    expect(gemini.calls()).toBe(before);
  }
  const before = gemini.calls();
  const answer = await fx.client(proxy).chat.completions.create({ model: "files", messages: [{ role: "user", content: "hi" }] });
  expect(answer.choices[0]!.message.content).toContain("hi");
  expect(gemini.calls()).toBe(before + 1);
  expect(gemini.lastRequest()!.path).toContain("gemini-2.5-flash-a");
});
