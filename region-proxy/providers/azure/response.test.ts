import { describe, expect, test } from "bun:test";
import { assemble, fixtureJson, fixtureText, sseEvents, translate } from "../../../test/fixtures/replay.ts";
import type { ResponseContext } from "../types.ts";
import { parseAzureResponse } from "./response.ts";
import { createAzureStreamTranslator } from "./stream.ts";

const ctx = (includeUsage = true): ResponseContext => ({ completionId: "chatcmpl-az1", created: 5, model: "gpt-4o", includeUsage });
const encoder = new TextEncoder();

async function replay(name: string, includeUsage = true, cuts: number[] = []) {
  return translate(createAzureStreamTranslator(ctx(includeUsage)), sseEvents(encoder.encode(await fixtureText("azure", name)), cuts));
}

describe("azure parseResponse", () => {
  test("a recorded completion, annotations stripped", async () => {
    const { completion, usage } = parseAzureResponse(await fixtureJson("azure", "completion.json"), ctx());
    expect(completion.id).toBe("chatcmpl-az1");
    expect(completion.prompt_filter_results).toBeUndefined();
    expect(completion.choices[0]).toEqual({ finish_reason: "length", index: 0, logprobs: null, message: { annotations: [], content: "Hello! It looks like", refusal: null, role: "assistant" } } as never);
    expect(usage).toEqual({ inputTokens: 8, outputTokens: 5, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0 });
  });

  test("streamed and unstreamed versions of one answer give identical usage", async () => {
    const streamed = await replay("stream-usage.sse");
    const plain = parseAzureResponse(await fixtureJson("azure", "completion-hello.json"), ctx());
    expect(streamed.usage).toEqual(plain.usage);
    expect(assemble(streamed.chunks).content).toBe(plain.completion.choices[0]!.message.content!);
  });
});
