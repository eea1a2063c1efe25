/**
 * Beside a thinking budget on Claude 4.5/4.6 a JSON response_format goes as Anthropic's JSON outputs
 * (output_config.format), no JSON tool sent, so the answer's text is the JSON: streamed, it comes as
 * content deltas as it is written. It was held and sent as one delta at the end, as text is held where
 * the JSON tool was sent (the stream could not tell; now the built request says, VendorHttpRequest.jsonAsText).
 * Through the proxy with the openai SDK and the fake Anthropic, which writes a text in pieces at its spaces.
 */
import { expect, test } from "bun:test";
import { fakeDeployment, useVendorProxy } from "../testing/use-vendor-proxy.ts";

const t = useVendorProxy({
  fakes: ["anthropic"],
  configure(s) {
    s.deployments.dep_sonnet45 = fakeDeployment("dep_sonnet45", "anthropic", t.anthropic.url, "claude-sonnet-4-5");
    s.aliases.sonnet45 = { name: "sonnet45", chain: ["dep_sonnet45"] };
  },
});
const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false };
const format = { type: "json_schema" as const, json_schema: { name: "place", schema } };

async function streamed(extra: Record<string, unknown>): Promise<{ parts: string[]; finish: string | null }> {
  const stream = await t.fx.client(t.proxy).chat.completions.create({ model: "sonnet45", messages: [{ role: "user", content: "Paris, France, Europe" }], response_format: format, stream: true, ...extra } as never);
  const parts: string[] = [];
  let finish: string | null = null;
  for await (const chunk of stream as unknown as AsyncIterable<{ choices: { delta: { content?: string | null }; finish_reason: string | null }[] }>) {
    const choice = chunk.choices[0];
    if (choice?.delta.content) parts.push(choice.delta.content);
    if (choice?.finish_reason) finish = choice.finish_reason;
  }
  return { parts, finish };
}

test("Sonnet 4.5 with reasoning_effort streams the JSON outputs answer as several content deltas", async () => {
  const { parts, finish } = await streamed({ reasoning_effort: "low" });
  expect(JSON.parse(parts.join(""))).toEqual({ city: "Paris, France, Europe" });
  expect(parts.length).toBeGreaterThan(1);
  expect(finish).toBe("stop");
  expect((t.anthropic.lastRequest()!.body as { output_config?: unknown }).output_config).toEqual({ format: { type: "json_schema", schema } });
});

test("without reasoning_effort the forced JSON tool's answer is still the content, the text around it dropped", async () => {
  const { parts, finish } = await streamed({});
  expect(JSON.parse(parts.join(""))).toEqual({ echo: "Paris, France, Europe" });
  expect(finish).toBe("stop");
});
