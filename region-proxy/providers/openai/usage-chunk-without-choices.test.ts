/**
 * OpenAI-compatible servers that end a stream with a usage-only chunk that has no `choices` at all
 * (Fireworks: Portkey-AI/gateway#1627; ROCm/ATOM before ROCm/ATOM#1711) or `choices: null`. The
 * answer was whole: the client gets it with OpenAI's usage chunk (`choices: []`, last before
 * [DONE]) when it asked for usage and without it otherwise, never an error frame after the answer,
 * and the request is settled ok at the usage the vendor reported, not the streamed-text estimate.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { waitFor } from "../../testing/proxy-fixture.ts";
import { sseOpenAI, startScriptedVendor } from "../../testing/scripted-vendor.ts";
import { USAGE, base, finish, hello, streamedHelloWithUsageLast } from "../testing/openai-usage-chunk.ts";

let v: Awaited<ReturnType<typeof startScriptedVendor>>;
beforeAll(async () => {
  v = await startScriptedVendor({
    absent: { provider: "openai", sse: sseOpenAI(hello, finish, { ...base, usage: USAGE }) },
    nullchoices: { provider: "openai", sse: sseOpenAI(hello, finish, { ...base, choices: null, usage: USAGE }) },
  });
});
afterAll(() => v.stop());

for (const model of ["absent", "nullchoices"]) {
  test(`${model}: include_usage gets the answer and the usage on a last choices: [] chunk`, async () => {
    const { event } = await streamedHelloWithUsageLast(v, model);
    expect(event.status).toBe("ok");
    expect(event.usage).toMatchObject({ inputTokens: 30, outputTokens: 10 });
  });

  test(`${model}: without include_usage the answer ends cleanly with no usage chunk`, async () => {
    const { data, response } = await v.client.chat.completions.create({ model, stream: true, messages: [{ role: "user", content: "hi" }] }).withResponse();
    const chunks = [];
    for await (const c of data) chunks.push(c);
    expect(chunks.every((c) => Array.isArray(c.choices) && c.choices.length > 0 && c.usage === undefined)).toBe(true);
    expect(chunks.at(-1)!.choices[0]!.finish_reason).toBe("stop");
    const requestId = response.headers.get("x-request-id");
    await waitFor(() => v.fx.origin.events().some((e) => e.requestId === requestId), "usage event");
    const event = v.fx.origin.events().find((e) => e.requestId === requestId)!;
    expect(event.status).toBe("ok");
    expect(event.usage).toMatchObject({ inputTokens: 30, outputTokens: 10 });
  });
}
