/**
 * SSE comment keep-alives (": keep-alive", OpenRouter's ": OPENROUTER PROCESSING") are the protocol's
 * ping: bytes from a vendor that is answering. They end the first-byte wait and date the vendor's last
 * sign of life (VendorCall.heard, told by readSseBatches after every read that brought bytes), so a
 * vendor that sends them every 250 ms for 2 s, under a 1 s first-byte timeout, is waited for and
 * its answer streams, with no retry.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { sseOpenAI } from "../testing/scripted-vendor.ts";
import { head, httpChunk, startRawVendors } from "../testing/raw-vendor.ts";

const answer = sseOpenAI({ id: "x", object: "chat.completion.chunk", created: 1, model: "m", choices: [{ index: 0, delta: { content: "late but here" }, finish_reason: "stop" }] });
let calls = 0;
let t: Awaited<ReturnType<typeof startRawVendors>>;
beforeAll(async () => {
  t = await startRawVendors(
    {
      dep_keepalive: {
        provider: "openai",
        timeouts: { firstByteMs: 1_000, totalMs: 10_000 },
        script: (s) => {
          calls++;
          s.write(head("200 OK", { "content-type": "text/event-stream", "transfer-encoding": "chunked" }));
          let n = 0;
          const timer = setInterval(() => {
            if (++n <= 8) s.write(httpChunk(": OPENROUTER PROCESSING\n\n"));
            else {
              clearInterval(timer);
              s.write(httpChunk(answer) + "0\r\n\r\n");
              s.end();
            }
          }, 250);
        },
      },
    },
    { keepalive: ["dep_keepalive"] },
  );
});
afterAll(() => t?.stop());

test("a vendor sending SSE keep-alive comments has answered: its first-byte timer stops and its answer streams", async () => {
  let content = "";
  const stream = await t.client.chat.completions.create({ model: "keepalive", messages: [{ role: "user", content: "hi" }], stream: true });
  for await (const c of stream) content += c.choices[0]?.delta?.content ?? "";
  expect(content).toBe("late but here");
  expect(calls).toBe(1);
}, 30_000);
