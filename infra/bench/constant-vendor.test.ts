import { afterAll, beforeAll, expect, test } from "bun:test";
import { spawnServer, type SpawnedServer } from "./spawn-server.ts";

const script = new URL("./constant-vendor.ts", import.meta.url).pathname;
const streamRequest = JSON.stringify({ model: "m", messages: [{ role: "user", content: "Say ok." }], stream: true, stream_options: { include_usage: true } });

/** The stream's body as (ms since the request, text) reads. */
async function reads(url: string): Promise<{ at: number; text: string }[]> {
  const start = performance.now();
  const response = await fetch(`${url}/v1/chat/completions`, { method: "POST", headers: { "content-type": "application/json" }, body: streamRequest });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const out: { at: number; text: string }[] = [];
  for (let read = await reader.read(); !read.done; read = await reader.read()) out.push({ at: performance.now() - start, text: decoder.decode(read.value) });
  return out;
}

let gapped: SpawnedServer;
let whole: SpawnedServer;
beforeAll(async () => {
  [gapped, whole] = await Promise.all([spawnServer(script, { BENCH_STREAM_GAP_MS: "60" }), spawnServer(script, { BENCH_STREAM_GAP_MS: "0" })]);
});
afterAll(async () => {
  await Promise.all([gapped?.stop(), whole?.stop()]);
});

test("a stream's first event comes at once and the rest BENCH_STREAM_GAP_MS later, so a proxy that holds the stream back shows in its time to first byte", async () => {
  const body = await reads(gapped.url);
  expect(body.length).toBeGreaterThanOrEqual(2);
  const first = body[0]!;
  expect(first.text.match(/^data: /gm)).toHaveLength(1);
  expect(first.text).toContain('"role":"assistant"');
  const rest = body.slice(1);
  expect(rest[0]!.at - first.at).toBeGreaterThanOrEqual(50);
  const all = body.map((r) => r.text).join("");
  expect(all).toContain('"content":"o"');
  expect(all).toContain('"usage":{"prompt_tokens":12');
  expect(all.endsWith("data: [DONE]\n\n")).toBe(true);
});

test("BENCH_STREAM_GAP_MS=0 sends the whole stream at once, as the vendor did before the gap", async () => {
  const body = await reads(whole.url);
  const all = body.map((r) => r.text).join("");
  expect(all.match(/^data: /gm)).toHaveLength(6);
  expect(body.at(-1)!.at - body[0]!.at).toBeLessThan(30);
});

test("a full answer is unchanged", async () => {
  const response = await fetch(`${gapped.url}/v1/chat/completions`, { method: "POST", body: JSON.stringify({ model: "m", messages: [] }) });
  expect(((await response.json()) as { choices: { message: { content: string } }[] }).choices[0]!.message.content).toBe("ok");
});
