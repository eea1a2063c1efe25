/**
 * OpenAI's `strict: true` (on a tool's function, or on response_format.json_schema) guarantees the
 * arguments match the schema; Anthropic's equivalent is `strict: true` on the tool
 * (https://platform.claude.com/docs/en/agents-and-tools/tool-use/strict-tool-use). Through the proxy
 * to the fake Anthropic, read through the official SDK, then the pure translation for the edges.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type OpenAI from "openai";
import { startFakeAnthropic } from "../../../test/fakes/anthropic.ts";
import type { FakeVendor } from "../../../test/fakes/fake-server.ts";
import { startVendorBehindProxy } from "../../testing/vendor-behind-proxy.ts";
import { convertTools, JSON_TOOL_NAME } from "./tools.ts";

let fake: FakeVendor;
let client: OpenAI;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ fake, client, stop } = await startVendorBehindProxy({ provider: "anthropic", start: startFakeAnthropic }, { claude: "claude-fake" }));
});
afterAll(() => stop());

const ageSchema = { type: "object", properties: { age: { type: "integer" } }, required: ["age"], additionalProperties: false };
const sentTools = () => (fake.lastRequest()!.body as { tools: Array<Record<string, unknown>> }).tools;

describe("anthropic strict tools through the proxy", () => {
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
      expect(convertTools([tool(strict)], undefined, undefined, undefined).tools![0]).not.toHaveProperty("strict");
      expect(convertTools(undefined, undefined, format(strict), undefined).tools![0]).not.toHaveProperty("strict");
    }
  });

  test("each tool keeps its own strictness next to a strict JSON tool; json_object has no strict", () => {
    const { tools } = convertTools([tool(true), { ...tool(false), function: { name: "g" } }], undefined, format(true), undefined);
    expect(tools!.map((t) => [t.name, t.strict ?? null])).toEqual([["f", true], ["g", null], [JSON_TOOL_NAME, true]]);
    expect(convertTools(undefined, undefined, { type: "json_object" }, undefined).tools![0]).not.toHaveProperty("strict");
  });
});
