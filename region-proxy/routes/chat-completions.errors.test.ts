import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type { RunningProxy } from "../main.ts";
import { pathOf } from "../server.ts";
import { createProxyFixture, REGION, type ProxyFixture } from "../testing/proxy-fixture.ts";

let fx: ProxyFixture;
let proxy: RunningProxy;
const MAX_BODY = 4096;

beforeAll(async () => {
  fx = await createProxyFixture();
  await fx.publish(fx.snapshot(1));
  proxy = await fx.startProxy({ maxBodyBytes: MAX_BODY });
});
afterAll(() => fx.cleanup());

const good = { model: "chat", messages: [{ role: "user", content: "hi" }] };

async function call(init: { body?: BodyInit; key?: string | null; headers?: Record<string, string>; method?: string; path?: string }) {
  const headers: Record<string, string> = { ...(init.headers ?? {}) };
  if (init.key !== null) headers.authorization = `Bearer ${init.key ?? fx.keys.main}`;
  const res = await fetch(`${proxy.url}${init.path ?? "/v1/chat/completions"}`, { method: init.method ?? "POST", headers, body: init.body, duplex: "half" } as RequestInit);
  const json = (await res.json()) as { error: { code: string; param: string | null; message: string; type: string } };
  // Every answer carries the gateway's headers, whatever refused it.
  expect(res.headers.get("x-request-id")).toBeTruthy();
  expect([res.headers.get("x-gateway-region"), res.headers.get("x-gateway-attempts") !== null, res.headers.get("x-gateway-fallback")]).toEqual([REGION, true, "false"]);
  return { status: res.status, error: json.error, headers: res.headers };
}

describe("keys: every refusal is the same 401", () => {
  const cases: [string, () => string | null][] = [
    ["missing", () => null],
    ["malformed", () => "not-a-gateway-key"],
    ["unknown", () => "gwk_" + "a".repeat(40)],
    ["revoked", () => fx.keys.revoked],
    ["expired", () => fx.keys.expired],
    ["disabled tenant", () => fx.keys.disabledTenant],
  ];
  const messages = new Set<string>();
  for (const [name, key] of cases) {
    test(name, async () => {
      const { status, error, headers } = await call({ key: key(), body: JSON.stringify(good) });
      expect(status).toBe(401);
      expect(error.code).toBe("invalid_api_key");
      expect([headers.get("x-gateway-region"), headers.get("x-gateway-attempts"), headers.get("x-gateway-fallback")]).toEqual([REGION, "0", "false"]);
      messages.add(error.message);
      expect(messages.size).toBe(1);
    });
  }
  test("/v1/models refuses the same way", async () => {
    expect((await call({ key: fx.keys.revoked, method: "GET", path: "/v1/models" })).status).toBe(401);
  });

  test("/v1/models answers with the gateway's headers", async () => {
    const res = await fetch(`${proxy.url}/v1/models`, { headers: { authorization: `Bearer ${fx.keys.main}` } });
    expect(res.status).toBe(200);
    await res.json();
    expect([res.headers.get("x-gateway-region"), res.headers.get("x-gateway-attempts"), res.headers.get("x-gateway-fallback"), res.headers.get("x-request-id") !== null]).toEqual([REGION, "0", "false", true]);
  });
});

describe("models", () => {
  test("unknown alias and alias not allowed for the key both answer 404 model_not_found", async () => {
    const unknown = await call({ body: JSON.stringify({ ...good, model: "no-such-alias" }) });
    expect(unknown.status).toBe(404);
    expect(unknown.error.code).toBe("model_not_found");
    const notAllowed = await call({ key: fx.keys.limited, body: JSON.stringify({ ...good, model: "fallback" }) });
    expect(notAllowed.status).toBe(404);
    expect(notAllowed.error.code).toBe("model_not_found");
    const proto = await call({ body: JSON.stringify({ ...good, model: "__proto__" }) });
    expect(proto.status).toBe(404);
  });
});

describe("HTTP edges", () => {
  test("unknown path → 404; GET (OpenAI's list of stored completions, not served) → 404 unknown_url, as OpenAI answers an endpoint it does not have", async () => {
    expect((await call({ path: "/v1/nothing", method: "GET" })).status).toBe(404);
    const wrong = await call({ method: "GET" });
    expect(wrong.status).toBe(404);
    expect(wrong.error.code).toBe("unknown_url");
  });

  test("pathOf: the path of an absolute URL, without query or fragment", () => {
    expect(pathOf("http://127.0.0.1:4002/v1/chat/completions")).toBe("/v1/chat/completions");
    expect(pathOf("http://127.0.0.1:4002/v1/models?limit=5#x")).toBe("/v1/models");
    expect(pathOf("http://127.0.0.1:4002/health#top")).toBe("/health");
    expect(pathOf("http://127.0.0.1:4002")).toBe("/");
    expect(pathOf("https://gw.example/v1/embeddings?a=/b")).toBe("/v1/embeddings");
  });

  test("pathOf: a relative URL (a request without a Host) is its own path", () => {
    expect(pathOf("/v1/models")).toBe("/v1/models");
    expect(pathOf("/health?x=1")).toBe("/health");
    expect(pathOf("/not-a-route/v1/models")).toBe("/not-a-route/v1/models");
    expect(pathOf("/")).toBe("/");
  });

  test("a query string does not change the route; a path is matched as sent", async () => {
    const queried = await fetch(`${proxy.url}/v1/models?limit=5`, { headers: { authorization: `Bearer ${fx.keys.main}` } });
    expect(queried.status).toBe(200);
    expect((await call({ path: "/v1/chat/completions/", method: "POST" })).status).toBe(404);
  });

  test("body over the limit → 413, by Content-Length and by counting a chunked body", async () => {
    const big = JSON.stringify({ ...good, padding: "x".repeat(MAX_BODY) });
    const declared = await call({ body: big });
    expect(declared.status).toBe(413);
    expect(declared.error.code).toBe("request_too_large");
    const bytes = new TextEncoder().encode(big);
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 1000) controller.enqueue(bytes.subarray(i, i + 1000));
        controller.close();
      },
    });
    const counted = await call({ body: chunked });
    expect(counted.status).toBe(413);
  });

  test("a declared length above the runtime's own 128 MiB limit still gets OpenAI's 413 JSON", async () => {
    const socket = await Bun.connect({
      hostname: "127.0.0.1",
      port: proxy.port,
      socket: { data: (_s, data) => void (answer += new TextDecoder().decode(data)) },
    });
    let answer = "";
    socket.write(`POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\nauthorization: Bearer ${fx.keys.main}\r\ncontent-type: application/json\r\ncontent-length: 134217729\r\n\r\n{"model":"chat"`);
    const deadline = Date.now() + 3_000;
    while (!answer.includes("request_too_large") && Date.now() < deadline) await Bun.sleep(10);
    socket.end();
    expect(answer).toStartWith("HTTP/1.1 413");
    expect(answer).toContain('"code":"request_too_large"');
  });

  test("JSON nested deeper than the limit → 400 naming the top-level field, not a stack overflow", async () => {
    const deep = `{"model":"chat","messages":[{"role":"user","content":"hi"}],"x":${"[".repeat(1_500)}${"]".repeat(1_500)}}`;
    const { status, error } = await call({ body: deep });
    expect(status).toBe(400);
    expect(error).toMatchObject({ code: "invalid_value", param: "x" });
  });

  test("invalid JSON and a non-object body → 400 invalid_json", async () => {
    for (const body of ["{not json", "[1,2]", "42", ""]) {
      const { status, error } = await call({ body });
      expect(status).toBe(400);
      expect(error.code).toBe("invalid_json");
    }
  });
});

describe("request fields: 400 invalid_value naming the param", () => {
  const cases: [string, Record<string, unknown>][] = [
    ["model", { messages: good.messages }],
    ["model", { ...good, model: 7 }],
    ["messages", { model: "chat", messages: [] }],
    ["messages", { model: "chat", messages: "hi" }],
    ["messages[0].role", { model: "chat", messages: [{ role: "wizard", content: "hi" }] }],
    ["messages[0].content", { model: "chat", messages: [{ role: "user", content: 5 }] }],
    ["stream", { ...good, stream: "yes" }],
    ["stream_options", { ...good, stream: true, stream_options: 5 }],
    ["max_tokens", { ...good, max_tokens: 0 }],
    ["max_tokens", { ...good, max_tokens: 1.5 }],
    ["temperature", { ...good, temperature: 2.5 }],
    ["top_p", { ...good, top_p: -1 }],
  ];
  for (const [param, body] of cases) {
    test(`${param}: ${JSON.stringify(body).slice(0, 60)}`, async () => {
      const { status, error } = await call({ body: JSON.stringify(body) });
      expect(status).toBe(400);
      expect(error.code).toBe("invalid_value");
      expect(error.param).toBe(param);
    });
  }

  test("X-Feature-Id must be a plain token", async () => {
    const { status, error } = await call({ body: JSON.stringify(good), headers: { "x-feature-id": "spaces are bad" } });
    expect(status).toBe(400);
    expect(error.param).toBe("x-feature-id");
    const ok = await fetch(`${proxy.url}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${fx.keys.main}`, "x-feature-id": "a.b_c:d-e" }, body: JSON.stringify(good) });
    expect(ok.status).toBe(200);
  });

  test("unknown fields pass through to the vendor", async () => {
    const res = await fetch(`${proxy.url}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${fx.keys.main}` }, body: JSON.stringify({ ...good, user: "u1", seed: 3, metadata: { a: "b" } }) });
    expect(res.status).toBe(200);
  });
});

describe("no verified snapshot yet", () => {
  test("503 not_ready with retry-after, /ready 503", async () => {
    const empty = await fx.startProxy({ region: "us", dataDir: fx.freshDataDir() });
    expect(empty.snapshotVersion()).toBe(0);
    const res = await fetch(`${empty.url}/v1/chat/completions`, { method: "POST", headers: { authorization: `Bearer ${fx.keys.main}` }, body: JSON.stringify(good) });
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe("not_ready");
    expect((await fetch(`${empty.url}/ready`)).status).toBe(503);
  });
});
