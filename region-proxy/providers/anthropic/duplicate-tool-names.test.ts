/**
 * Two tools of one name: OpenAI takes them, Anthropic refuses the request ("tools: Tool names must be
 * unique."). The second is refused while the request is built, naming its field, before any call: the
 * deployment is skipped and the next one answers; alone on the chain, a 400. Through
 * the proxy to the fake Anthropic (which refuses duplicates as Anthropic does), then the fake itself.
 */
import { expect, test } from "bun:test";
import type OpenAI from "openai";
import { readMessagesRequest } from "../../../test/fakes/anthropic-request.ts";
import { fakeDeployment, useVendorProxy } from "../testing/use-vendor-proxy.ts";

const t = useVendorProxy({
  fakes: ["anthropic"],
  configure(s) {
    s.deployments.dep_claude = fakeDeployment("dep_claude", "anthropic", t.anthropic.url, "claude-fake");
    s.aliases.claude = { name: "claude", chain: ["dep_claude"] };
    // The base snapshot's OpenAI deployment that answers 500, then Anthropic, then the echo OpenAI deployment.
    s.aliases.down_claude_echo = { name: "down_claude_echo", chain: ["dep_error500", "dep_claude", "dep_echo1"] };
  },
});

const messages = [{ role: "user" as const, content: "call tool" }];
const tool = (name: string): OpenAI.ChatCompletionTool => ({ type: "function", function: { name, parameters: { type: "object", properties: { q: { type: "string" } } } } });
const tools = [tool("search"), tool("lookup"), tool("search")];

test("alone on the chain: a 400 naming the second tools[2].function.name, Anthropic not called", async () => {
  const before = t.anthropic.calls();
  const outcome = await t.fx
    .client(t.proxy, undefined, { maxRetries: 0 })
    .chat.completions.create({ model: "claude", messages, tools })
    .then(
      () => ({ status: 200, param: null }),
      (e: { status: number; param: string }) => e,
    );
  expect({ status: outcome.status, param: outcome.param, called: t.anthropic.calls() > before }).toEqual({ status: 400, param: "tools[2].function.name", called: false });
});

test("reached by fallback: Anthropic is skipped and the OpenAI deployment after it answers", async () => {
  const before = t.anthropic.calls();
  const { response } = await t.fx.client(t.proxy, undefined, { maxRetries: 0 }).chat.completions.create({ model: "down_claude_echo", messages, tools }).withResponse();
  expect({ provider: response.headers.get("x-gateway-provider"), anthropicCalled: t.anthropic.calls() > before }).toEqual({ provider: "openai", anthropicCalled: false });
});

test("the fake refuses duplicate names as Anthropic does", () => {
  const request = (names: string[]) => readMessagesRequest({ model: "m", max_tokens: 5, messages: [{ role: "user", content: "hi" }], tools: names.map((name) => ({ name, input_schema: { type: "object" } })) });
  expect(request(["a", "b", "a"])).toBe("tools: Tool names must be unique.");
  expect(request(["a", "b"])).toMatchObject({ tools: ["a", "b"] });
});
