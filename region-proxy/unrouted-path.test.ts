/**
 * A path the route table does not hold, as real clients send one: an OpenAI endpoint the gateway does
 * not serve (the Responses API is the default of the Agents SDK and of the AI SDK's openai(model)), or
 * a base_url without /v1. Each is refused in OpenAI's shape (404, the SDK's NotFoundError) with a
 * message saying what is unsupported and what the gateway serves, not a bare "Unknown path", which
 * reads as a typo in the caller's base_url. The AzureOpenAI client class (deployment paths, api-key
 * header) is named as unsupported, with the OpenAI client as the way in.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { AzureOpenAI, NotFoundError, OpenAI } from "openai";
import { startFakeOpenAI } from "../test/fakes/openai.ts";
import { rawExchange } from "../test/support/raw-http.ts";
import { startVendorBehindProxy, type VendorBehindProxy } from "./testing/vendor-behind-proxy.ts";

let vp: VendorBehindProxy;
beforeAll(async () => {
  vp = await startVendorBehindProxy({ provider: "openai", start: startFakeOpenAI, baseUrl: (f) => `${f.url}/v1` }, { gpt: "gpt-4o-mini" });
});
afterAll(() => vp?.stop());

const messages = [{ role: "user" as const, content: "hi" }];
const failure = (p: Promise<unknown>) => p.then(() => null, (e: unknown) => e);
const SERVED = ["POST /v1/chat/completions", "POST /v1/embeddings", "GET /v1/models", "GET /v1/models/{model}"];

const post = (path: string) =>
  fetch(`${vp.proxy.url}${path}`, { method: "POST", headers: { authorization: `Bearer ${vp.fx.keys.main}`, "content-type": "application/json" }, body: "{}" });

describe("OpenAI endpoints the gateway does not serve", () => {
  test("the Responses API through the SDK: NotFoundError saying it is not served and what is", async () => {
    const error = await failure(vp.client.responses.create({ model: "gpt", input: "hi" }));
    expect(error).toBeInstanceOf(NotFoundError);
    const message = (error as NotFoundError).message;
    expect(message).toContain("/v1/responses");
    expect(message).toMatch(/not served/i);
    for (const endpoint of SERVED) expect(message).toContain(endpoint);
    expect(vp.fake.calls()).toBe(0);
  });

  for (const path of ["/v1/completions", "/v1/images/generations", "/v1/audio/speech", "/v1/moderations", "/v1/files", "/v1/batches", "/v1/threads/t_1/runs", "/v1/chat/completions/c_1"]) {
    test(`POST ${path}: 404 unknown_url naming it as an OpenAI endpoint that is not served`, async () => {
      const res = await post(path);
      expect(res.status).toBe(404);
      const { error } = await res.json();
      expect(error).toEqual({ message: expect.any(String), type: "invalid_request_error", param: null, code: "unknown_url" });
      expect(error.message).toContain(`${path} is an OpenAI API endpoint that is not served by this gateway`);
      for (const endpoint of SERVED) expect(error.message).toContain(endpoint);
    });
  }

  test("OpenAI endpoints at a served path under another method (stored chat completions' list, a model's delete): NotFoundError through the SDK, as every unserved endpoint", async () => {
    const listed = await failure(vp.client.chat.completions.list());
    expect(listed).toBeInstanceOf(NotFoundError);
    expect((listed as NotFoundError).error).toEqual({ message: expect.any(String), type: "invalid_request_error", param: null, code: "unknown_url" });
    expect((listed as NotFoundError).message).toContain("GET /v1/chat/completions is an OpenAI API endpoint that is not served by this gateway");
    const retrieved = await failure(vp.client.chat.completions.retrieve("chatcmpl-1"));
    expect(retrieved).toBeInstanceOf(NotFoundError);
    const deleted = await failure(vp.client.models.delete("ft:gpt-4o-mini:org::abc"));
    expect(deleted).toBeInstanceOf(NotFoundError);
    expect((deleted as NotFoundError).message).toContain("DELETE /v1/models/ft:gpt-4o-mini:org::abc is an OpenAI API endpoint that is not served by this gateway");
    for (const endpoint of SERVED) expect((deleted as NotFoundError).message).toContain(endpoint);
    expect(vp.fake.calls()).toBe(0);
  });

  test("a method OpenAI has no endpoint for at a served path (GET /v1/embeddings, PUT /v1/chat/completions): 404 unknown_url, as OpenAI answers it, no Allow", async () => {
    for (const [method, path] of [["GET", "/v1/embeddings"], ["PUT", "/v1/chat/completions"], ["POST", "/v1/models"], ["PATCH", "/v1/models/gpt"]] as const) {
      const res = await fetch(`${vp.proxy.url}${path}`, { method, headers: { authorization: `Bearer ${vp.fx.keys.main}` } });
      expect(res.status).toBe(404);
      expect(res.headers.get("allow")).toBeNull();
      const { error } = await res.json();
      expect(error).toEqual({ message: expect.any(String), type: "invalid_request_error", param: null, code: "unknown_url" });
      expect(error.message).toStartWith(`Unknown endpoint ${method} ${path}.`);
      for (const endpoint of SERVED) expect(error.message).toContain(endpoint);
    }
  });

  test("a /v1 path that is no OpenAI endpoint: unknown, with what is served", async () => {
    const { error } = await (await post("/v1/chat/complete")).json();
    expect(error.message).toStartWith("Unknown path /v1/chat/complete.");
    expect(error.message).toContain("POST /v1/chat/completions");
  });
});

describe("a base_url without /v1", () => {
  test("the SDK's chat call: the 404 says to end base_url in /v1", async () => {
    const client = new OpenAI({ baseURL: vp.proxy.url, apiKey: vp.fx.keys.main, maxRetries: 0 });
    const error = await failure(client.chat.completions.create({ model: "gpt", messages }));
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as Error).message).toContain("base_url");
    expect((error as Error).message).toContain("/v1/chat/completions");
  });

  for (const path of ["/embeddings", "/models", "/models/gpt", "/responses"]) {
    test(`${path}: names the /v1 path`, async () => {
      const { error } = await (await fetch(`${vp.proxy.url}${path}`)).json();
      expect(error.code).toBe("unknown_url");
      expect(error.message).toContain(`/v1${path}`);
      expect(error.message).toMatch(/base_url .*\/v1/);
    });
  }

  test("any other path stays unknown, with what is served", async () => {
    const { error } = await (await fetch(`${vp.proxy.url}/wp-login.php`)).json();
    expect(error.message).toStartWith("Unknown path /wp-login.php.");
    expect(error.message).toContain("GET /v1/models");
  });
});

/** The body of the answer to `method target`, the request target sent as is (fetch may rewrite a leading "//"). */
function sentAsIs(method: string, target: string): Promise<string> {
  const url = new URL(vp.proxy.url);
  return rawExchange(
    Number(url.port),
    `${method} ${target} HTTP/1.1\r\nHost: ${url.host}\r\nAuthorization: Bearer ${vp.fx.keys.main}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
  );
}

describe("a served path sent with a trailing slash or doubled slashes (a base_url ending in '/' joined to '/chat/completions')", () => {
  const cases: [method: string, sent: string, meant: string][] = [
    ["POST", "/v1/chat/completions/", "/v1/chat/completions"],
    ["POST", "/v1//chat/completions", "/v1/chat/completions"],
    ["POST", "//v1/chat/completions", "/v1/chat/completions"],
    ["POST", "/v1/embeddings/", "/v1/embeddings"],
    ["GET", "/v1/models/", "/v1/models"],
    ["GET", "/v1/models/gpt/", "/v1/models/gpt"],
    ["GET", "/v1//models//gpt", "/v1/models/gpt"],
  ];
  for (const [method, sent, meant] of cases) {
    test(`${method} ${sent}: 404 unknown_url naming ${meant}, not an endpoint 'not served'`, async () => {
      const answer = await sentAsIs(method, sent);
      expect(answer).toStartWith("HTTP/1.1 404");
      const { error } = JSON.parse(answer.slice(answer.indexOf("\r\n\r\n") + 4));
      expect(error).toEqual({ message: expect.any(String), type: "invalid_request_error", param: null, code: "unknown_url" });
      expect(error.message).toStartWith(`Unknown path ${sent}: did you mean ${meant}?`);
      expect(error.message).not.toMatch(/not served/);
      for (const endpoint of SERVED) expect(error.message).toContain(endpoint);
    });
  }

  test("/chat/completions/ (no /v1, a trailing slash): the base_url advice names /v1/chat/completions", async () => {
    const { error } = await (await post("/chat/completions/")).json();
    expect(error.message).toContain("(/v1/chat/completions)");
    expect(error.message).toMatch(/base_url .*\/v1/);
  });

  test("dot segments are resolved by Bun before routing: GET /v1/./models is served as /v1/models", async () => {
    expect(await sentAsIs("GET", "/v1/./models")).toStartWith("HTTP/1.1 200");
  });

  test("the slashes of an endpoint that is not served change nothing: still named as not served", async () => {
    const { error } = await (await post("/v1/responses/")).json();
    expect(error.message).toContain("/v1/responses/ is an OpenAI API endpoint that is not served by this gateway");
  });
});

describe("the AzureOpenAI client class (/openai/deployments/{deployment}/..., api-key header)", () => {
  const azureForms = {
    endpoint: () => new AzureOpenAI({ endpoint: vp.proxy.url, apiKey: vp.fx.keys.main, apiVersion: "2024-10-21", deployment: "gpt", maxRetries: 0 }),
    "baseURL ending in /v1": () => new AzureOpenAI({ baseURL: `${vp.proxy.url}/v1`, apiKey: vp.fx.keys.main, apiVersion: "2024-10-21", deployment: "gpt", maxRetries: 0 }),
  };
  for (const [form, azure] of Object.entries(azureForms)) {
    test(`${form}: chat and embeddings are refused naming the Azure client and the OpenAI client with base_url …/v1`, async () => {
      for (const call of [() => azure().chat.completions.create({ model: "gpt", messages }), () => azure().embeddings.create({ model: "gpt", input: "hi" })]) {
        const error = await failure(call());
        expect(error).toBeInstanceOf(NotFoundError);
        const message = (error as Error).message;
        expect(message).toContain("AzureOpenAI");
        expect(message).toMatch(/not supported/);
        expect(message).toMatch(/OpenAI client with base_url .*\/v1/);
        expect(message).toContain("POST /v1/chat/completions");
      }
      expect(vp.fake.calls()).toBe(0);
    });
  }
});
