/**
 * `stream_options: {include_usage: null}` asks for nothing, as the parser reads `stream_options: null`
 * and every other optional field's null: the stream is answered without the usage chunk. It was a 400
 * naming stream_options.include_usage. The gateway never sends the client's include_usage on (it asks
 * OpenAI-format vendors for usage itself, openai/request.ts), so no vendor sees the null.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type { RunningProxy } from "../main.ts";
import { startProxyOnBaseSnapshot, type ProxyFixture } from "../testing/proxy-fixture.ts";

let fx: ProxyFixture;
let proxy: RunningProxy;
beforeAll(async () => ({ fx, proxy } = await startProxyOnBaseSnapshot()));
afterAll(() => fx.cleanup());

/** The streamed chunks of one request, or its status and error when it is refused. */
async function stream(streamOptions: unknown): Promise<{ status: number; chunks: { usage?: unknown; choices: unknown[] }[]; param?: string }> {
  const res = await fetch(`${proxy.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${fx.keys.main}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "chat", messages: [{ role: "user", content: "hello" }], stream: true, stream_options: streamOptions }),
  });
  if (res.status !== 200) return { status: res.status, chunks: [], param: ((await res.json()) as { error: { param: string } }).error.param };
  const data = (await res.text()).split("\n").filter((line) => line.startsWith("data: ") && line !== "data: [DONE]");
  return { status: 200, chunks: data.map((line) => JSON.parse(line.slice(6))) };
}

test("include_usage null streams the answer without a usage chunk, as include_usage false does", async () => {
  for (const options of [{ include_usage: null }, { include_usage: false }]) {
    const got = await stream(options);
    expect({ status: got.status, param: got.param }).toEqual({ status: 200, param: undefined });
    expect(got.chunks.length).toBeGreaterThan(0);
    expect(got.chunks.some((c) => c.usage != null)).toBe(false);
  }
});

test("include_usage true still adds the usage chunk; a non-boolean is still a 400 naming it", async () => {
  expect((await stream({ include_usage: true })).chunks.at(-1)).toMatchObject({ choices: [], usage: { prompt_tokens: expect.any(Number) } });
  expect(await stream({ include_usage: "yes" })).toMatchObject({ status: 400, param: "stream_options.include_usage" });
});
