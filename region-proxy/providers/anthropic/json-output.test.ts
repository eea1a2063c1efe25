/**
 * A JSON response_format where the forced JSON tool cannot go (Claude 5.1 and later, Haiku aside, which
 * refuse forced tool use; a thinking budget, beside which Anthropic refuses it) is sent as Anthropic's
 * JSON outputs, `output_config.format` (https://platform.claude.com/docs/en/build-with-claude/structured-outputs),
 * on the models that take it (Claude 4.5 and later by the version the id names): the answer's text
 * block is the JSON, the message's content, streamed as content deltas. Before, it was a 400 naming
 * response_format. Elsewhere the forced tool stays. Through the proxy with the openai SDK and the fake Anthropic.
 */
import { expect, test } from "bun:test";
import { readMessagesRequest } from "../../../test/fakes/anthropic-request.ts";
import { fakeDeployment, useVendorProxy } from "../testing/use-vendor-proxy.ts";

const MODELS = { opus55: "claude-opus-5-5", sonnet45: "claude-sonnet-4-5", sonnet4: "claude-sonnet-4-20250514" } as const;
const t = useVendorProxy({
  fakes: ["anthropic"],
  configure(s) {
    for (const [alias, model] of Object.entries(MODELS)) {
      s.deployments[`dep_${alias}`] = fakeDeployment(`dep_${alias}`, "anthropic", t.anthropic.url, model);
      s.aliases[alias] = { name: alias, chain: [`dep_${alias}`] };
    }
  },
});
const client = () => t.fx.client(t.proxy);
const sent = () => t.anthropic.lastRequest()!.body as Record<string, unknown>;
const messages = [{ role: "user" as const, content: "Paris" }];
const schema = { type: "object", properties: { city: { type: "string" }, rank: { type: "integer", minimum: 1 } }, required: ["city", "rank"], additionalProperties: false };
const format = { type: "json_schema" as const, json_schema: { name: "place", description: "Where it is.", strict: true, schema } };

test("Opus 5.5: parse() with a json_schema gets the JSON as content, sent as output_config.format without a tool", async () => {
  const answer = await client().chat.completions.parse({ model: "opus55", messages, response_format: format });
  expect(answer.choices[0]!.message.parsed as unknown).toEqual({ city: "Paris", rank: 1 });
  expect(answer.choices[0]!.finish_reason).toBe("stop");
  const body = sent();
  expect([body.tools, body.tool_choice]).toEqual([undefined, undefined]);
  // minimum moved into the description (as Anthropic's SDKs send it), the json_schema's description at the root.
  expect((body.output_config as { format: unknown }).format).toEqual({
    type: "json_schema",
    schema: { ...schema, description: "Where it is.", properties: { city: { type: "string" }, rank: { type: "integer", description: "{minimum: 1}" } } },
  });
});

test("Opus 5.5 streamed: the JSON comes as content deltas as it is written, then stop", async () => {
  // The fake writes a text in pieces at its spaces.
  const stream = await client().chat.completions.create({ model: "opus55", messages: [{ role: "user", content: "Paris, France" }], response_format: format, stream: true });
  const parts: string[] = [];
  let finish: string | null = null;
  for await (const chunk of stream) {
    const choice = chunk.choices[0];
    if (choice?.delta.content) parts.push(choice.delta.content);
    if (choice?.finish_reason) finish = choice.finish_reason;
  }
  expect(JSON.parse(parts.join(""))).toEqual({ city: "Paris, France", rank: 1 });
  expect(parts.length).toBeGreaterThan(1);
  expect(finish).toBe("stop");
});

test("Opus 5.5 with reasoning_effort: effort and format together in output_config, thinking shown", async () => {
  const answer = await client().chat.completions.create({ model: "opus55", messages, response_format: format, reasoning_effort: "low" });
  expect(JSON.parse(answer.choices[0]!.message.content!)).toEqual({ city: "Paris", rank: 1 });
  expect((answer.choices[0]!.message as { reasoning_content?: string }).reasoning_content).toContain("Paris");
  expect(sent().output_config).toMatchObject({ effort: "low", format: { type: "json_schema" } });
});

test("Opus 5.5 with client tools: they stay callable (tool_choice auto), no JSON tool, and a call is a tool call", async () => {
  const tools = [{ type: "function" as const, function: { name: "lookup", parameters: { type: "object", properties: {} } } }];
  const answer = await client().chat.completions.create({ model: "opus55", messages: [{ role: "user", content: "call tool" }], tools, tool_choice: "auto", response_format: format });
  expect(answer.choices[0]!.message.tool_calls?.[0]).toMatchObject({ function: { name: "lookup" } });
  expect(answer.choices[0]!.finish_reason).toBe("tool_calls");
  expect((sent().tools as { name: string }[]).map((tool) => tool.name)).toEqual(["lookup"]);
});

test("Sonnet 4.5 with a thinking budget: the JSON comes through output_config.format beside thinking", async () => {
  const answer = await client().chat.completions.create({ model: "sonnet45", messages, response_format: format, reasoning_effort: "low" });
  expect(JSON.parse(answer.choices[0]!.message.content!)).toEqual({ city: "Paris", rank: 1 });
  const body = sent();
  expect([body.thinking, body.tool_choice, (body.output_config as { format: { type: string } }).format.type]).toEqual([{ type: "enabled", budget_tokens: 1024 }, undefined, "json_schema"]);
});

test("Sonnet 4.5 without thinking keeps the forced JSON tool", async () => {
  const answer = await client().chat.completions.create({ model: "sonnet45", messages, response_format: format });
  expect(JSON.parse(answer.choices[0]!.message.content!)).toEqual({ echo: "Paris" });
  expect([sent().tool_choice, sent().output_config]).toEqual([{ type: "tool", name: "gateway_json_response" }, undefined]);
});

test("where neither can go it is still the 400 naming response_format: Sonnet 4 beside a budget; json_object or a recursive schema on Opus 5.5", async () => {
  const refused = async (model: string, response_format: unknown, extra: Record<string, unknown> = {}) => {
    const error = await client()
      .chat.completions.create({ model, messages, response_format, ...extra } as never)
      .then(() => null, (e: { status?: number; param?: string }) => e);
    return [error?.status, error?.param];
  };
  expect(await refused("sonnet4", format, { reasoning_effort: "low" })).toEqual([400, "response_format"]);
  expect(await refused("opus55", { type: "json_object" })).toEqual([400, "response_format"]);
  const recursive = { type: "object", properties: { kids: { type: "array", items: { $ref: "#" } } }, required: ["kids"], additionalProperties: false };
  expect(await refused("opus55", { type: "json_schema", json_schema: { name: "tree", schema: recursive } })).toEqual([400, "response_format"]);
});

test("the fake Anthropic takes output_config.format from Claude 4.5 and refuses it before, and refuses what JSON outputs cannot express", () => {
  const read = (model: string, s: Record<string, unknown> = { type: "object", properties: {}, additionalProperties: false }) => {
    const r = readMessagesRequest({ model, max_tokens: 100, output_config: { format: { type: "json_schema", schema: s } }, messages: [{ role: "user", content: "hi" }] });
    return typeof r === "string" ? r : "accepted";
  };
  for (const model of ["claude-opus-5-5", "claude-sonnet-4-5", "claude-haiku-4-5"]) expect([model, read(model)]).toEqual([model, "accepted"]);
  for (const model of ["claude-sonnet-4-20250514", "claude-3-5-haiku-latest"]) expect([model, read(model)]).toEqual([model, "output_config.format: Extra inputs are not permitted"]);
  expect(read("claude-opus-5-5", { type: "object", properties: { n: { type: "integer", minimum: 0 } }, additionalProperties: false })).toContain("'minimum' is not supported");
  expect(read("claude-opus-5-5", { type: "object" })).toContain("additionalProperties");
});
