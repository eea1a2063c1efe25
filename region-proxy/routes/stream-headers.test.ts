/**
 * A streamed answer's headers as a client behind a reverse proxy receives them: `text/event-stream`,
 * not cached, and `X-Accel-Buffering: no`, without which nginx (proxy_buffering on by default) holds
 * the events back and passes them on in 4-8 KB batches instead of token by token.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { RunningProxy } from "../main.ts";
import { startProxyOnBaseSnapshot, type ProxyFixture } from "../testing/proxy-fixture.ts";

let fx: ProxyFixture;
let proxy: RunningProxy;
beforeAll(async () => {
  ({ fx, proxy } = await startProxyOnBaseSnapshot());
});
afterAll(() => fx?.cleanup());

test("an SSE answer tells buffering reverse proxies (nginx) not to buffer it", async () => {
  const res = await fetch(`${proxy.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${fx.keys.main}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "chat", stream: true, messages: [{ role: "user", content: "hi" }] }),
  });
  expect(await res.text()).toEndWith("data: [DONE]\n\n");
  expect(res.headers.get("content-type")).toBe("text/event-stream; charset=utf-8");
  expect(res.headers.get("cache-control")).toBe("no-cache");
  expect(res.headers.get("x-accel-buffering")).toBe("no");
});
