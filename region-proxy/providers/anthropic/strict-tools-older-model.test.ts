/**
 * The OpenAI SDKs' structured-output helpers (JS zodFunction/zodResponseFormat, Python
 * pydantic_function_tool and .parse()) always set `strict: true`. Claude models before strict tool use
 * refuse a tool's `strict` as an extra input (400), so a deployment without the `strict-tools` flag
 * drops it (strict-tools.test.ts covers a deployment with the flag). Through the proxy to the fake
 * Anthropic fronted as such an older model, read through the official SDK.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import type OpenAI from "openai";
import { startFakeAnthropic } from "../../../test/fakes/anthropic.ts";
import { json, startFakeServer, type FakeVendor } from "../../../test/fakes/fake-server.ts";
import { startVendorBehindProxy } from "../../testing/vendor-behind-proxy.ts";
import { JSON_TOOL_NAME } from "./tools.ts";

let inner: FakeVendor;
let client: OpenAI;
let fake: FakeVendor;
let stop: () => Promise<void>;

/** The fake Anthropic, fronted as a pre-4.5 model: a tool with `strict` is refused as Anthropic refuses extra inputs. */
async function startOlderModel(options: { apiKey: string }): Promise<FakeVendor> {
  inner = await startFakeAnthropic(options);
  return startFakeServer(undefined, async (request, raw) => {
    const tools = (request.body as { tools?: Array<Record<string, unknown>> }).tools ?? [];
    const i = tools.findIndex((t) => "strict" in t);
    if (i >= 0) return json(400, { type: "error", error: { type: "invalid_request_error", message: `tools.${i}.custom.strict: Extra inputs are not permitted` } });
    return fetch(inner.url + request.path, { method: "POST", headers: raw.headers, body: JSON.stringify(request.body) });
  });
}

beforeAll(async () => {
  ({ client, fake, stop } = await startVendorBehindProxy({ provider: "anthropic", start: startOlderModel }, { claude: "claude-3-5-haiku-20241022" }));
});
afterAll(async () => {
  await stop();
  await inner.stop();
});

const ageSchema = { type: "object", properties: { age: { type: "integer" } }, required: ["age"], additionalProperties: false };
const sentTools = () => (fake.lastRequest()!.body as { tools: Array<Record<string, unknown>> }).tools;

test("a tool as the SDK helpers build it (strict: true) is answered by an older Claude model; Anthropic gets no strict", async () => {
  const answer = await client.chat.completions.create({
    model: "claude",
    messages: [{ role: "user", content: "set" }],
    tools: [{ type: "function", function: { name: "set_age", strict: true, parameters: ageSchema } }],
    tool_choice: "required",
  });
  expect(sentTools()).toEqual([{ name: "set_age", input_schema: ageSchema }]);
  expect(answer.choices[0]!.message.tool_calls?.[0]).toMatchObject({ function: { name: "set_age" } });
});

test("response_format json_schema with strict: true (zodResponseFormat, .parse()) is answered with JSON text; the JSON tool has no strict", async () => {
  const answer = await client.chat.completions.create({
    model: "claude",
    messages: [{ role: "user", content: "age?" }],
    response_format: { type: "json_schema", json_schema: { name: "person", strict: true, schema: ageSchema } },
  });
  expect(sentTools()).toEqual([{ name: JSON_TOOL_NAME, description: "Respond with the person object.", input_schema: ageSchema }]);
  expect(answer.choices[0]!.message.content).toBe('{"echo":"age?"}');
});
