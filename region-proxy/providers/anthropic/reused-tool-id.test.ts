/**
 * A tool call id reused in a later turn. OpenAI pairs a tool message with the assistant
 * message just before it, so it takes a history whose every turn numbers its calls from 0 (Kimi K2's
 * `functions.weather:0`, llama.cpp/Ollama-style `call_0`). Anthropic refuses any request in which two
 * tool_use blocks share an id ("messages.N.content.M: `tool_use` ids must be unique"), so the adapter
 * must keep the ids it sends distinct across turns, each tool_result still naming its own call.
 * Through the proxy to the fake Anthropic, read through the official SDK; the body the fake received
 * is checked.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startFakeAnthropic } from "../../../test/fakes/anthropic.ts";
import { sendChat, startVendorBehindProxy, type VendorBehindProxy } from "../../testing/vendor-behind-proxy.ts";

let vp: VendorBehindProxy;
beforeAll(async () => {
  vp = await startVendorBehindProxy({ provider: "anthropic", start: startFakeAnthropic }, { claude: "claude-fake" });
});
afterAll(async () => {
  await vp?.stop();
});

const tools = [{ type: "function", function: { name: "weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }];
const turn = (id: string, city: string) => [
  { role: "assistant", content: null, tool_calls: [{ id, type: "function", function: { name: "weather", arguments: JSON.stringify({ city }) } }] },
  { role: "tool", tool_call_id: id, content: `sunny in ${city}` },
];

for (const id of ["call_0", "functions.weather:0"]) {
  test(`a call id reused in a later turn (${id}) reaches Anthropic as distinct tool_use ids, each result paired with its own call`, async () => {
    const messages = [{ role: "user", content: "weather in Paris?" }, ...turn(id, "Paris"), { role: "assistant", content: "Sunny in Paris." }, { role: "user", content: "and Rome?" }, ...turn(id, "Rome")];
    const { refused, sent } = await sendChat(vp, { model: "claude", messages, tools });
    expect(refused).toBe(false);
    const blocks = (sent.messages as { role: string; content: { type: string; id?: string; tool_use_id?: string }[] }[]).map((m) => m.content);
    const useIds = blocks.flat().filter((b) => b.type === "tool_use").map((b) => b.id);
    expect(useIds).toHaveLength(2);
    // Anthropic: "`tool_use` ids must be unique" across the whole request.
    expect(new Set(useIds).size).toBe(2);
    // Each tool_result answers the tool_use of the message just before it.
    sent.messages.forEach((m: { content: { type: string; id?: string; tool_use_id?: string }[] }, i: number) => {
      for (const r of m.content.filter((b) => b.type === "tool_result")) {
        expect(sent.messages[i - 1].content.filter((b: { type: string }) => b.type === "tool_use").map((b: { id: string }) => b.id)).toContain(r.tool_use_id);
      }
    });
  });
}
