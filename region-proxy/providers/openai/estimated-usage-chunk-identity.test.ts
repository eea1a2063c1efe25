/**
 * The usage chunk the gateway adds when the client asked for usage (include_usage) and the vendor sent
 * none it could bill carries the created and model of the chunks already sent, as the vendor's own
 * would: OpenAI's chunks all share them, and the SDK's stream helper takes the last chunk's into its
 * final completion (it carried the gateway's created and the deployment's model, review ru).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type OpenAI from "openai";
import { startFakeAzure } from "../../../test/fakes/azure.ts";
import { sseOpenAI, startScriptedVendor } from "../../testing/scripted-vendor.ts";
import { startVendorBehindProxy, type VendorBehindProxy } from "../../testing/vendor-behind-proxy.ts";

async function chunksOf(client: OpenAI, model: string) {
  const stream = await client.chat.completions.create({ model, stream: true, stream_options: { include_usage: true }, messages: [{ role: "user", content: "hi" }] });
  const chunks: OpenAI.ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

function expectOneIdentity(chunks: OpenAI.ChatCompletionChunk[]) {
  const last = chunks.at(-1)!;
  expect(last.choices).toEqual([]);
  expect(last.usage).not.toBeNull();
  const first = chunks.find((c) => c.choices.length > 0)!;
  for (const c of chunks) expect({ id: c.id, created: c.created, model: c.model }).toEqual({ id: first.id, created: first.created, model: first.model });
}

describe("the estimated usage chunk has the stream's created and model", () => {
  let az: VendorBehindProxy;
  let scripted: Awaited<ReturnType<typeof startScriptedVendor>>;
  beforeAll(async () => {
    az = await startVendorBehindProxy({ provider: "azure", start: startFakeAzure }, { blocked: "async-filter-blocked" });
    const base = { id: "chatcmpl-v", object: "chat.completion.chunk", created: 1_700_000_000, model: "gpt-4o-mini-2024-07-18" };
    scripted = await startScriptedVendor({
      // An OpenAI-compatible vendor that ignores stream_options (no usage chunk).
      "gpt-4o-mini": {
        provider: "openai",
        sse: sseOpenAI(
          { ...base, choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }] },
          { ...base, choices: [{ index: 0, delta: { content: "Hello" }, finish_reason: null }] },
          { ...base, choices: [{ index: 0, delta: {}, finish_reason: "stop" }] },
        ),
      },
    });
  });
  afterAll(async () => {
    await az.stop();
    await scripted.stop();
  });

  test("azure (asynchronous filter block, no vendor usage)", async () => {
    expectOneIdentity(await chunksOf(az.client, "blocked"));
  });

  test("openai-compatible vendor without a usage chunk", async () => {
    const chunks = await chunksOf(scripted.client, "gpt-4o-mini");
    expectOneIdentity(chunks);
    expect(chunks.at(-1)).toMatchObject({ created: 1_700_000_000, model: "gpt-4o-mini-2024-07-18" });
  });

  test("the SDK's final completion keeps the vendor's model and created", async () => {
    const stream = scripted.client.chat.completions.stream({ model: "gpt-4o-mini", messages: [{ role: "user", content: "hi" }], stream_options: { include_usage: true } });
    const final = await stream.finalChatCompletion();
    expect(final.model).toBe("gpt-4o-mini-2024-07-18");
    expect(final.created).toBe(1_700_000_000);
  });
});
