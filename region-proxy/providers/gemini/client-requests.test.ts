/**
 * Requests an OpenAI client may send, through a real proxy to the fake Gemini, read through the
 * official SDK: what the translation must accept (200) and what it must refuse (400 naming the param).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI, { APIError } from "openai";
import { startFakeGemini } from "../../../test/fakes/gemini.ts";
import type { FakeVendor } from "../../../test/fakes/fake-server.ts";
import { startVendorBehindProxy } from "../../testing/vendor-behind-proxy.ts";

let fake: FakeVendor;
let client: OpenAI;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ fake, client, stop } = await startVendorBehindProxy({ provider: "gemini", start: startFakeGemini }, { gemini: "gemini-fake" }));
});
afterAll(() => stop());

/** The SDK's error for a request the proxy must refuse. */
async function refused(body: OpenAI.ChatCompletionCreateParamsNonStreaming): Promise<APIError> {
  const error = await client.chat.completions.create(body).then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(APIError);
  return error as APIError;
}

const weather = { type: "function" as const, function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } };

describe("gemini through the proxy", () => {
  test("an assistant message with tool_calls and no content key is accepted", async () => {
    const call = { id: "call_1", type: "function" as const, function: { name: "get_weather", arguments: '{"city":"Paris"}' } };
    const data = await client.chat.completions.create({
      model: "gemini",
      messages: [{ role: "user", content: "weather?" }, { role: "assistant", tool_calls: [call] }, { role: "tool", tool_call_id: "call_1", content: "18C" }],
      tools: [weather],
    });
    expect(data.choices[0]!.message.role).toBe("assistant");
  });

  test("an image URL that does not parse is a 400 naming the part", async () => {
    const error = await refused({ model: "gemini", messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "http://[bad/x.png" } }] }] });
    expect(error.status).toBe(400);
    expect(error.param).toBe("messages[0].content[0].image_url.url");
  });

  // OpenAI features with no Gemini equivalent: a 400 naming the parameter, and no vendor call.
  const cannotHonour: Record<string, Record<string, unknown>> = {
    functions: { functions: [{ name: "get_weather", parameters: { type: "object" } }] },
    function_call: { function_call: "auto" },
    web_search_options: { web_search_options: {} },
    prediction: { prediction: { type: "content", content: "draft" } },
    service_tier: { service_tier: "flex" },
    verbosity: { verbosity: "low" },
    metadata: { metadata: { team: "x" } },
    store: { store: true },
    parallel_tool_calls: { tools: [weather], parallel_tool_calls: false },
    user: { user: "end-user-1" },
  };
  for (const [param, fields] of Object.entries(cannotHonour)) {
    test(`${param} is a 400 naming it, without a vendor call`, async () => {
      const before = fake.calls();
      const error = await refused({ model: "gemini", messages: [{ role: "user", content: "hi" }], ...fields } as OpenAI.ChatCompletionCreateParamsNonStreaming);
      expect(error.status).toBe(400);
      expect(error.param).toBe(param);
      expect(fake.calls()).toBe(before);
    });
  }

  test("a nested Pydantic model's $refs reach Gemini inlined; a recursive one is a 400 naming the tool's parameters", async () => {
    const step = { type: "object", properties: { output: { type: "string" } }, required: ["output"] };
    const parameters = { $defs: { Step: step }, type: "object", properties: { steps: { type: "array", items: { $ref: "#/$defs/Step" } } } };
    await client.chat.completions.create({ model: "gemini", messages: [{ role: "user", content: "plan" }], tools: [{ type: "function", function: { name: "plan", parameters } }] });
    const sent = fake.lastRequest()!.body as { tools: { functionDeclarations: { parameters: unknown }[] }[] };
    expect(sent.tools[0]!.functionDeclarations[0]!.parameters).toEqual({ type: "object", properties: { steps: { type: "array", items: step } } });
    const recursive = { $defs: { Node: { type: "object", properties: { next: { $ref: "#/$defs/Node" } } } }, $ref: "#/$defs/Node" };
    const error = await refused({ model: "gemini", messages: [{ role: "user", content: "hi" }], tools: [{ type: "function", function: { name: "walk", parameters: recursive } }] });
    expect(error.status).toBe(400);
    expect(error.param).toBe("tools[0].function.parameters");
  });
});
