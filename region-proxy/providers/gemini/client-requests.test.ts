/**
 * Requests an OpenAI client may send, through a real proxy to the fake Gemini, read through the
 * official SDK: what the translation must accept (200) and what it must refuse (400 naming the param).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type OpenAI from "openai";
import { startFakeGemini } from "../../../test/fakes/gemini.ts";
import type { FakeVendor } from "../../../test/fakes/fake-server.ts";
import { refused, testSdkRequests, weatherTool, WITHOUT_EQUIVALENT } from "../../testing/sdk-requests.suite.ts";
import { startVendorBehindProxy } from "../../testing/vendor-behind-proxy.ts";

let fake: FakeVendor;
let client: OpenAI;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ fake, client, stop } = await startVendorBehindProxy({ provider: "gemini", start: startFakeGemini }, { gemini: "gemini-fake" }));
});
afterAll(() => stop());

describe("gemini through the proxy", () => {
  testSdkRequests("gemini", () => ({ client, fake }), {
    ...WITHOUT_EQUIVALENT,
    parallel_tool_calls: { tools: [weatherTool], parallel_tool_calls: false },
    user: { user: "end-user-1" },
  });

  test("an image URL that does not parse is a 400 naming the part", async () => {
    const error = await refused(client, { model: "gemini", messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "http://[bad/x.png" } }] }] });
    expect(error.status).toBe(400);
    expect(error.param).toBe("messages[0].content[0].image_url.url");
  });

  test("a nested Pydantic model's $refs reach Gemini inlined; a recursive one is a 400 naming the tool's parameters", async () => {
    const step = { type: "object", properties: { output: { type: "string" } }, required: ["output"] };
    const parameters = { $defs: { Step: step }, type: "object", properties: { steps: { type: "array", items: { $ref: "#/$defs/Step" } } } };
    await client.chat.completions.create({ model: "gemini", messages: [{ role: "user", content: "plan" }], tools: [{ type: "function", function: { name: "plan", parameters } }] });
    const sent = fake.lastRequest()!.body as { tools: { functionDeclarations: { parameters: unknown }[] }[] };
    expect(sent.tools[0]!.functionDeclarations[0]!.parameters).toEqual({ type: "object", properties: { steps: { type: "array", items: step } } });
    const recursive = { $defs: { Node: { type: "object", properties: { next: { $ref: "#/$defs/Node" } } } }, $ref: "#/$defs/Node" };
    const error = await refused(client, { model: "gemini", messages: [{ role: "user", content: "hi" }], tools: [{ type: "function", function: { name: "walk", parameters: recursive } }] });
    expect(error.status).toBe(400);
    expect(error.param).toBe("tools[0].function.parameters");
  });
});
