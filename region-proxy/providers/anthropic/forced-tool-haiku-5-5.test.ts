/**
 * Claude Haiku 5.5 takes forced tool use beside adaptive thinking: its breaking changes (What's new in
 * Claude Haiku 5.5) name no forced-tool refusal, which only the Opus/Sonnet 5.5, Fable 5.1 and Mythos
 * 5.1 pages do, and its prompting guide has JSON output through one's own tools, so the adapter sends
 * it (claude-generation.ts takesForcedToolWithAdaptiveThinking, refusesForcedToolUse, isVersionedHaiku).
 * The fake Anthropic refused it beside adaptive thinking (any model from 5.1, Haiku included) while its
 * own model-limit rule took it on Haiku: through the proxy, a Haiku 5.5 deployment asked for a forced
 * tool or a JSON response_format failed with the fake's 400. Now the fake agrees with the adapter.
 */
import { expect, test } from "bun:test";
import { readMessagesRequest } from "../../../test/fakes/anthropic-request.ts";
import { fakeDeployment, useVendorProxy } from "../testing/use-vendor-proxy.ts";

const t = useVendorProxy({
  fakes: ["anthropic"],
  configure(s) {
    s.deployments.dep_haiku55 = fakeDeployment("dep_haiku55", "anthropic", t.anthropic.url, "claude-haiku-5-5");
    s.aliases.haiku55 = { name: "haiku55", chain: ["dep_haiku55"] };
  },
});
const client = () => t.fx.client(t.proxy);
const tools = [{ type: "function" as const, function: { name: "lookup", parameters: { type: "object" } } }];
const messages = [{ role: "user" as const, content: "Find 7." }];
const sent = () => t.anthropic.lastRequest()!.body as Record<string, unknown>;

for (const [label, effort] of [["without reasoning_effort (default thinking)", {}], ["with reasoning_effort low", { reasoning_effort: "low" as const }]] as const) {
  test(`Haiku 5.5 ${label}: tool_choice required is sent forced beside adaptive thinking and answered with the call`, async () => {
    const answer = await client().chat.completions.create({ model: "haiku55", messages, tools, tool_choice: "required", ...effort });
    expect(answer.choices[0]!.message.tool_calls?.[0]).toMatchObject({ type: "function", function: { name: "lookup" } });
    expect(answer.choices[0]!.finish_reason).toBe("tool_calls");
    expect([sent().tool_choice, (sent().thinking as { type: string }).type]).toEqual([{ type: "any" }, "adaptive"]);
  });

  test(`Haiku 5.5 ${label}: a JSON response_format (a forced tool) is answered with JSON content`, async () => {
    const answer = await client().chat.completions.create({ model: "haiku55", messages, response_format: { type: "json_object" }, ...effort });
    expect(JSON.parse(answer.choices[0]!.message.content!)).toEqual({ echo: "Find 7." });
    expect((sent().thinking as { type: string }).type).toBe("adaptive");
  });
}

test("the fake Anthropic takes forced tool use beside adaptive thinking on Haiku 5.5 and refuses it on the Claude 5.1 models", () => {
  const read = (model: string) => {
    const r = readMessagesRequest({
      model,
      max_tokens: 8192,
      thinking: { type: "adaptive" },
      tools: [{ name: "w", input_schema: { type: "object" } }],
      tool_choice: { type: "any" },
      messages: [{ role: "user", content: "hi" }],
    });
    return typeof r === "string" ? r : "accepted";
  };
  for (const model of ["claude-haiku-5-5", "claude-opus-5", "claude-opus-4-7"]) expect([model, read(model)]).toEqual([model, "accepted"]);
  for (const model of ["claude-opus-5-5", "claude-sonnet-5-5", "claude-fable-5-1"]) expect([model, read(model)]).toEqual([model, expect.stringContaining("forced tool use") as unknown as string]);
});
