/**
 * OpenAI's `strict: true` (on a tool's function, or on response_format.json_schema) guarantees the
 * arguments match the schema; Anthropic's equivalent is `strict: true` on the tool
 * (https://platform.claude.com/docs/en/agents-and-tools/tool-use/strict-tool-use), which only newer
 * Claude models accept, so it is sent only for a deployment with the `strict-tools` flag
 * (strict-tools-older-model.test.ts: one without it). Through the proxy to the fake Anthropic, read
 * through the official SDK, then the pure translation for the edges.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type OpenAI from "openai";
import { startFakeAnthropic } from "../../../test/fakes/anthropic.ts";
import type { FakeVendor } from "../../../test/fakes/fake-server.ts";
import { REGION, waitFor } from "../../testing/proxy-fixture.ts";
import { startVendorBehindProxy } from "../../testing/vendor-behind-proxy.ts";
import { convertTools, JSON_TOOL_NAME, STRICT_TOOLS_FLAG } from "./tools.ts";

let fake: FakeVendor;
let client: OpenAI;
let stop: () => Promise<void>;

beforeAll(async () => {
  const running = await startVendorBehindProxy({ provider: "anthropic", start: startFakeAnthropic }, { claude: "claude-fake" });
  ({ fake, client, stop } = running);
  // The helper publishes deployments without flags: republish the same one as a strict-tools deployment.
  await running.fx.publish(
    running.fx.snapshot(2, (s) => {
      s.deployments.dep_claude = { id: "dep_claude", provider: "anthropic", baseUrl: fake.url, model: "claude-fake", region: REGION, credentialRef: "env:VENDOR_KEY", flags: [STRICT_TOOLS_FLAG] };
      s.aliases.claude = { name: "claude", chain: ["dep_claude"] };
    }),
  );
  await waitFor(() => running.proxy.snapshotVersion() === 2, "the strict-tools deployment loaded");
});
afterAll(() => stop());

const ageSchema = { type: "object", properties: { age: { type: "integer" } }, required: ["age"], additionalProperties: false };
const sentTools = () => (fake.lastRequest()!.body as { tools: Array<Record<string, unknown>> }).tools;

describe("anthropic strict tools through the proxy, on a deployment with the strict-tools flag", () => {
  test("tools[].function.strict:true reaches Anthropic as tools[].strict:true, and the call comes back", async () => {
    const answer = await client.chat.completions.create({
      model: "claude",
      messages: [{ role: "user", content: "set" }],
      tools: [{ type: "function", function: { name: "set_age", strict: true, parameters: ageSchema } }],
      tool_choice: "required",
    });
    expect(sentTools()).toEqual([{ name: "set_age", strict: true, input_schema: ageSchema }]);
    expect(answer.choices[0]!.message.tool_calls?.[0]).toMatchObject({ function: { name: "set_age" } });
  });

  test("response_format json_schema strict:true makes the JSON tool strict; the client still gets JSON text", async () => {
    const answer = await client.chat.completions.create({
      model: "claude",
      messages: [{ role: "user", content: "age?" }],
      response_format: { type: "json_schema", json_schema: { name: "person", strict: true, schema: ageSchema } },
    });
    expect(sentTools()).toEqual([{ name: JSON_TOOL_NAME, description: "Respond with the person object.", strict: true, input_schema: ageSchema }]);
    expect(answer.choices[0]!.message.content).toBe('{"echo":"age?"}');
  });
});

describe("anthropic strict tools: translation", () => {
  const tool = (strict: unknown) => ({ type: "function", function: { name: "f", parameters: ageSchema, ...(strict === undefined ? {} : { strict }) } });
  const format = (strict: unknown) => ({ type: "json_schema", json_schema: { name: "p", schema: ageSchema, ...(strict === undefined ? {} : { strict }) } });

  test("strict absent, false or null sends no strict field (Anthropic's default, non-strict)", () => {
    for (const strict of [undefined, false, null]) {
      expect(convertTools([tool(strict)], undefined, undefined, undefined, true).tools![0]).not.toHaveProperty("strict");
      expect(convertTools(undefined, undefined, format(strict), undefined, true).tools![0]).not.toHaveProperty("strict");
    }
  });

  test("each tool keeps its own strictness next to a strict JSON tool; json_object has no strict", () => {
    const { tools } = convertTools([tool(true), { ...tool(false), function: { name: "g" } }], undefined, format(true), undefined, true);
    expect(tools!.map((t) => [t.name, t.strict ?? null])).toEqual([["f", true], ["g", null], [JSON_TOOL_NAME, true]]);
    expect(convertTools(undefined, undefined, { type: "json_object" }, undefined, true).tools![0]).not.toHaveProperty("strict");
  });

  test("without strict tool use (no strict-tools flag) strict:true is dropped from tools and the JSON tool, the schema kept", () => {
    const { tools } = convertTools([tool(true)], undefined, format(true), undefined, false);
    expect(tools).toEqual([
      { name: "f", input_schema: ageSchema },
      { name: JSON_TOOL_NAME, description: "Respond with the p object.", input_schema: ageSchema },
    ]);
  });
});
