/**
 * tool_choice "required" with a JSON response_format cannot be honoured on Anthropic: the JSON answer
 * travels as the gateway's own tool (tools.ts), so forcing "some tool" could be met by that tool and
 * the client would get plain content, finish_reason "stop", no tool call. It is a 400 naming
 * tool_choice before the call when no other deployment of the chain takes the request (one that can
 * answers instead, as for any refused parameter). A named function tool_choice beside a JSON format
 * does force that function: the client gets its call.
 */
import { afterAll, afterEach, beforeAll, describe, expect, test } from "bun:test";
import type { SnapshotDeployment } from "../../../shared/snapshot/schema.ts";
import { startFakeAnthropic } from "../../../test/fakes/anthropic.ts";
import { testExecuteOptions } from "../../testing/execute-options.ts";
import { sendChat, startVendorBehindProxy, type VendorBehindProxy } from "../../testing/vendor-behind-proxy.ts";
import { executeChat } from "../execute.ts";
import { openaiAdapter } from "../openai/adapter.ts";
import type { ChatRequest } from "../types.ts";
import { anthropicAdapter } from "./adapter.ts";
import { JSON_TOOL_NAME } from "./tools.ts";

let vendor: VendorBehindProxy;
beforeAll(async () => {
  vendor = await startVendorBehindProxy({ provider: "anthropic", start: startFakeAnthropic }, { claude: "claude-sonnet-4-5" });
});
afterAll(() => vendor.stop());

const messages = [{ role: "user", content: "hi" }];
const lookup = { type: "function", function: { name: "lookup", parameters: { type: "object", properties: { q: { type: "string" } } } } };
const formats = {
  json_object: { type: "json_object" },
  json_schema: { type: "json_schema", json_schema: { name: "answer", schema: { type: "object", properties: { a: { type: "string" } } } } },
};

describe.each(Object.entries(formats))("tool_choice with response_format %s", (_name, response_format) => {
  test('"required" is a 400 naming tool_choice, before any vendor call', async () => {
    const out = await sendChat(vendor, { model: "claude", messages, tools: [lookup], tool_choice: "required", response_format });
    expect({ refused: out.refused, param: out.param }).toEqual({ refused: true, param: "tool_choice" });
  });

  test("a named function is forced: the vendor is told to call it, and the client gets its call", async () => {
    const body = { model: "claude", messages, tools: [lookup], tool_choice: { type: "function", function: { name: "lookup" } }, response_format };
    const { sent } = await sendChat(vendor, body);
    expect({ tools: (sent.tools as { name: string }[]).map((t) => t.name), tool_choice: sent.tool_choice }).toEqual({ tools: ["lookup", JSON_TOOL_NAME], tool_choice: { type: "tool", name: "lookup" } });
    const answer = await vendor.client.chat.completions.create(body as never);
    const choice = (answer as { choices: { finish_reason: string; message: { tool_calls?: { function: { name: string } }[] } }[] }).choices[0]!;
    expect({ finish: choice.finish_reason, calls: choice.message.tool_calls?.map((c) => c.function.name) }).toEqual({ finish: "tool_calls", calls: ["lookup"] });
  });

  test('"auto" and "none" are still answered', async () => {
    expect((await sendChat(vendor, { model: "claude", messages, tools: [lookup], tool_choice: "auto", response_format })).refused).toBe(false);
    expect((await sendChat(vendor, { model: "claude", messages, tools: [lookup], tool_choice: "none", response_format })).refused).toBe(false);
  });
});

describe("in a chain", () => {
  const servers: ReturnType<typeof Bun.serve>[] = [];
  afterEach(() => {
    for (const server of servers.splice(0)) server.stop(true);
  });

  test("an Anthropic deployment reached by fallback is skipped for it, not called", async () => {
    const overloaded = Bun.serve({ port: 0, hostname: "127.0.0.1", development: false, fetch: () => new Response("{}", { status: 503 }) });
    servers.push(overloaded);
    const raw = { model: "m", messages, tools: [lookup], tool_choice: "required", response_format: formats.json_object };
    const req = { model: "m", messages, stream: false, includeUsage: false, tools: [lookup], tool_choice: "required", response_format: formats.json_object, raw } as unknown as ChatRequest;
    const chain = [
      { deployment: { id: "d_openai", provider: "openai", baseUrl: `http://127.0.0.1:${overloaded.port}/v1`, model: "gpt-fake", region: "eu", credentialRef: "env:K" } as SnapshotDeployment, adapter: openaiAdapter },
      { deployment: { id: "d_anthropic", provider: "anthropic", baseUrl: vendor.fake.url, model: "claude-sonnet-4-5", region: "eu", credentialRef: "env:K" } as SnapshotDeployment, adapter: anthropicAdapter },
    ];
    const before = vendor.fake.calls();
    const result = await executeChat(req, chain, testExecuteOptions());
    expect(result.trail.steps.map((s) => `${s.deploymentId}:${s.outcome}:${s.reason}`).at(-1)).toBe("d_anthropic:skipped:unsupported_parameter:tool_choice");
    expect(vendor.fake.calls()).toBe(before);
  });
});
