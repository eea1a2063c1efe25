/**
 * HEAD is answered wherever GET is (/health, /ready, /v1/models, /metrics): the GET handler runs and its
 * status and headers are sent with no body, as HTTP requires (RFC 9110 §9.3.2), so load balancers and
 * monitors that probe with HEAD see the real state. Other methods stay 405, with an `Allow` that lists
 * HEAD beside GET; OPTIONS too (no CORS: browsers are not clients of the proxy). On the OpenAI API's
 * paths a method not served is 404 unknown_url, as OpenAI answers (unrouted-path.test.ts), HEAD too.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { connect } from "node:net";
import type { RunningProxy } from "./main.ts";
import { REGION, startProxyOnBaseSnapshot, type ProxyFixture } from "./testing/proxy-fixture.ts";

const METRICS_TOKEN = "metrics-secret";
let fx: ProxyFixture;
let proxy: RunningProxy;

beforeAll(async () => {
  ({ fx, proxy } = await startProxyOnBaseSnapshot({ metricsToken: METRICS_TOKEN }));
});
afterAll(() => fx?.cleanup());

const send = (method: string, path: string, authorization: string | null = `Bearer ${fx.keys.main}`) =>
  fetch(`${proxy.url}${path}`, { method, headers: authorization === null ? {} : { authorization } });

/** The headers that say what the answer is, without the ones that differ per request or per body. */
const stable = (response: Response) => Object.fromEntries([...response.headers].filter(([name]) => !["date", "x-request-id", "content-length"].includes(name)));

for (const [path, authorization] of [
  ["/health", null],
  ["/ready", null],
  ["/v1/models", "key"],
  ["/metrics", "metrics"],
] as const) {
  test(`HEAD ${path} answers GET's status and headers, with no body`, async () => {
    const auth = authorization === "key" ? `Bearer ${fx.keys.main}` : authorization === "metrics" ? `Bearer ${METRICS_TOKEN}` : null;
    const get = await send("GET", path, auth);
    const head = await send("HEAD", path, auth);
    expect(get.status).toBe(200);
    expect(head.status).toBe(200);
    expect(stable(head)).toEqual(stable(get));
    expect(head.headers.get("x-request-id")).toStartWith("req_");
    expect(await head.text()).toBe("");
  });
}

test("HEAD /v1/models with a wrong key is GET's 401 with its x-gateway headers, without the error body", async () => {
  const head = await send("HEAD", "/v1/models", "Bearer gw_wrong");
  expect(head.status).toBe(401);
  expect(head.headers.get("content-type")).toStartWith("application/json");
  expect(head.headers.get("x-gateway-region")).toBe(REGION);
  expect(await head.text()).toBe("");
});

test("no body bytes follow a HEAD answer on the wire (a keep-alive connection stays in step)", async () => {
  const socket = connect({ port: proxy.port, host: "127.0.0.1" });
  let received = "";
  socket.on("data", (chunk) => (received += chunk));
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  socket.write(`HEAD /health HTTP/1.1\r\nhost: x\r\n\r\nGET /health HTTP/1.1\r\nhost: x\r\nconnection: close\r\n\r\n`);
  await closed;
  const [headAnswer, getAnswer] = received.split(/(?=HTTP\/1\.1 )/);
  expect(headAnswer).toStartWith("HTTP/1.1 200");
  expect(headAnswer!.endsWith("\r\n\r\n")).toBe(true);
  expect(getAnswer).toStartWith("HTTP/1.1 200");
  expect(getAnswer).toContain('"status"');
});

test("other methods are 405 in OpenAI's shape, Allow listing GET and HEAD; OPTIONS is 405 on the API too; HEAD on a POST-only API route is 404, as GET there is", async () => {
  for (const method of ["OPTIONS", "POST", "DELETE"]) {
    const response = await send(method, "/health");
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("GET, HEAD");
    expect(response.headers.get("x-gateway-region")).toBe(REGION);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("method_not_allowed");
  }
  const options = await send("OPTIONS", "/v1/models");
  expect(options.status).toBe(405);
  expect(options.headers.get("allow")).toBe("GET, HEAD");
  const head = await send("HEAD", "/v1/chat/completions");
  expect(head.status).toBe(404);
  expect(head.headers.get("allow")).toBeNull();
});
