import { describe, expect, test } from "bun:test";
import type { SnapshotDeployment } from "../../../shared/snapshot/schema.ts";
import type { ChatMessage, ChatRequest } from "../types.ts";
import { UnsupportedParameterError } from "../unsupported-parameter.ts";
import { buildAnthropicRequest, DEFAULT_MAX_TOKENS } from "./request.ts";
import { JSON_TOOL_NAME } from "./tools.ts";

const target: SnapshotDeployment = {
  id: "dep_1",
  provider: "anthropic",
  baseUrl: "https://api.anthropic.com/",
  model: "claude-sonnet-4-5",
  region: "us",
  credentialRef: "env:X",
};

function req(fields: Partial<ChatRequest> & { raw?: Record<string, unknown> }): ChatRequest {
  return { model: "alias", messages: [{ role: "user", content: "hi" }], stream: false, includeUsage: false, raw: {}, ...fields };
}

const body = (r: ChatRequest) => JSON.parse(buildAnthropicRequest(r, target, "sk-ant-secret").body) as Record<string, any>;

describe("anthropic buildRequest", () => {
  test("URL, headers and model come from the deployment only", () => {
    const http = buildAnthropicRequest(req({ model: "https://evil.example/x", raw: { model: "x" } }), target, "sk-ant-secret");
    // A body field naming another host is refused like any field the translation has no rule for.
    expect(() => buildAnthropicRequest(req({ raw: { base_url: "https://evil" } }), target, "sk-ant-secret")).toThrow(UnsupportedParameterError);
    expect(http.url).toBe("https://api.anthropic.com/v1/messages");
    expect(http.method).toBe("POST");
    expect(http.headers["x-api-key"]).toBe("sk-ant-secret");
    expect(http.headers["anthropic-version"]).toBe("2023-06-01");
    expect(http.headers.authorization).toBeUndefined();
    expect(JSON.parse(http.body).model).toBe("claude-sonnet-4-5");
  });

  test("system and developer messages become top-level system; same-role turns merge", () => {
    const b = body(
      req({
        messages: [
          { role: "system", content: "Be brief." },
          { role: "user", content: "one" },
          { role: "developer", content: [{ type: "text", text: "Use French." }] },
          { role: "user", content: [{ type: "text", text: "two" }] },
          { role: "assistant", content: "deux" },
          { role: "assistant", content: "" },
          { role: "user", content: "three" },
        ],
      }),
    );
    expect(b.system).toEqual([
      { type: "text", text: "Be brief." },
      { type: "text", text: "Use French." },
    ]);
    expect(b.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "one" }, { type: "text", text: "two" }] },
      { role: "assistant", content: [{ type: "text", text: "deux" }] },
      { role: "user", content: [{ type: "text", text: "three" }] },
    ]);
    expect(b.max_tokens).toBe(DEFAULT_MAX_TOKENS);
  });

  test("tool calls and tool results become tool_use and tool_result blocks", () => {
    const b = body(
      req({
        messages: [
          { role: "user", content: "weather?" },
          { role: "assistant", content: null, tool_calls: [{ id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } }] },
          { role: "tool", tool_call_id: "call_1", content: "18C" },
          { role: "user", content: "thanks" },
        ],
        tools: [{ type: "function", function: { name: "get_weather", description: "d", parameters: { type: "object", properties: { city: { type: "string" } } } } }],
        tool_choice: "required",
        raw: { parallel_tool_calls: false },
      }),
    );
    expect(b.messages[1]).toEqual({ role: "assistant", content: [{ type: "tool_use", id: "call_1", name: "get_weather", input: { city: "Paris" } }] });
    expect(b.messages[2]).toEqual({
      role: "user",
      content: [
        { type: "tool_result", tool_use_id: "call_1", content: "18C" },
        { type: "text", text: "thanks" },
      ],
    });
    expect(b.tools).toEqual([{ name: "get_weather", description: "d", input_schema: { type: "object", properties: { city: { type: "string" } } } }]);
    expect(b.tool_choice).toEqual({ type: "any", disable_parallel_tool_use: true });
  });

  test("every tool's input_schema has type object: no parameters, {} or an MCP-style typeless schema (Anthropic: input_schema.type: Field required)", () => {
    const b = body(
      req({
        tools: [
          { type: "function", function: { name: "none" } },
          { type: "function", function: { name: "empty", parameters: {} } },
          { type: "function", function: { name: "mcp", parameters: { properties: { q: { type: "string" } }, required: ["q"] } } },
        ],
      }),
    );
    expect(b.tools).toEqual([
      { name: "none", input_schema: { type: "object", properties: {} } },
      { name: "empty", input_schema: { type: "object", properties: {} } },
      { name: "mcp", input_schema: { type: "object", properties: { q: { type: "string" } }, required: ["q"] } },
    ]);
  });

  test("two call ids that would become the same Anthropic id (a.b and a:b both read a_b) stay two ids, each result with its call", () => {
    const ids = ["a.b", "a:b", "a_b"];
    const b = body(
      req({
        messages: [
          { role: "user", content: "weather?" },
          { role: "assistant", content: null, tool_calls: ids.map((id) => ({ id, type: "function" as const, function: { name: "w", arguments: "{}" } })) },
          ...[...ids].reverse().map((id): ChatMessage => ({ role: "tool", tool_call_id: id, content: `for ${id}` })),
        ],
      }),
    );
    const uses: string[] = b.messages[1].content.map((block: { id: string }) => block.id);
    expect(new Set(uses).size).toBe(3);
    for (const id of uses) expect(id).toMatch(/^[a-zA-Z0-9_-]+$/);
    expect(uses[2]).toBe("a_b"); // an id Anthropic takes as it is is sent as it is
    const results: { tool_use_id: string; content: string }[] = b.messages[2].content;
    for (const result of results) expect(result.tool_use_id).toBe(uses[ids.indexOf(result.content.slice(4))]!);
  });

  test("tool call ids made by other vendors become Anthropic ids (^[a-zA-Z0-9_-]+$), the call and its result alike", () => {
    const ids = ["call_sess.42_0", "call_x|fc_y", "functions.get:0", "toolu_01-ok_Id"];
    const b = body(
      req({
        messages: [
          { role: "user", content: "weather?" },
          { role: "assistant", content: null, tool_calls: ids.map((id) => ({ id, type: "function" as const, function: { name: "w", arguments: "{}" } })) },
          ...ids.map((id): ChatMessage => ({ role: "tool", tool_call_id: id, content: "sunny" })),
        ],
      }),
    );
    const uses: string[] = b.messages[1].content.map((block: { id: string }) => block.id);
    // Each id Anthropic refuses keeps its readable part, told apart from any other by a hash of the original.
    expect(uses.slice(0, 3).map((id) => id.replace(/_[0-9a-z]+$/, ""))).toEqual(["call_sess_42_0", "call_x_fc_y", "functions_get_0"]);
    expect(uses[3]).toBe("toolu_01-ok_Id");
    for (const id of uses) expect(id).toMatch(/^[a-zA-Z0-9_-]+$/);
    expect(b.messages[2].content.map((block: { tool_use_id: string }) => block.tool_use_id)).toEqual(uses);
  });

  test("a tool result that is empty or only whitespace is a tool_result without content (Anthropic refuses blank content)", () => {
    const contents: ChatMessage["content"][] = ["", "  \n", [], [{ type: "text", text: " " }], "ok"];
    const calls = contents.map((_, i) => ({ id: `c${i}`, type: "function" as const, function: { name: "w", arguments: "{}" } }));
    const b = body(
      req({
        messages: [
          { role: "user", content: "write it" },
          { role: "assistant", content: null, tool_calls: calls },
          ...contents.map((content, i): ChatMessage => ({ role: "tool", tool_call_id: `c${i}`, content })),
        ],
      }),
    );
    expect(b.messages[2].content).toEqual([
      { type: "tool_result", tool_use_id: "c0" },
      { type: "tool_result", tool_use_id: "c1" },
      { type: "tool_result", tool_use_id: "c2" },
      { type: "tool_result", tool_use_id: "c3" },
      { type: "tool_result", tool_use_id: "c4", content: "ok" },
    ]);
  });

  test("an assistant message with tool_calls and no content key becomes tool_use blocks only", () => {
    const call = { id: "call_1", type: "function" as const, function: { name: "get_weather", arguments: "{}" } };
    const noContent = { role: "assistant", tool_calls: [call] } as unknown as ChatMessage;
    const b = body(req({ messages: [{ role: "user", content: "weather?" }, noContent, { role: "tool", tool_call_id: "call_1", content: "18C" }] }));
    expect(b.messages[1]).toEqual({ role: "assistant", content: [{ type: "tool_use", id: "call_1", name: "get_weather", input: {} }] });
  });

  test("tool_choice variants", () => {
    const tools = [{ type: "function", function: { name: "f" } }];
    expect(body(req({ tools, tool_choice: "auto" })).tool_choice).toEqual({ type: "auto" });
    expect(body(req({ tools, tool_choice: "none" })).tool_choice).toEqual({ type: "none" });
    expect(body(req({ tools, tool_choice: { type: "function", function: { name: "f" } } })).tool_choice).toEqual({ type: "tool", name: "f" });
    expect(body(req({ tools })).tool_choice).toBeUndefined();
    expect(body(req({ tools })).tools[0].input_schema).toEqual({ type: "object", properties: {} });
  });

  test("a history of tool calls sent without tools declares the called tools and forbids calls; with tools, only the client's are sent", () => {
    const call = (id: string, name: string) => ({ id, type: "function" as const, function: { name, arguments: "{}" } });
    const messages: ChatMessage[] = [
      { role: "user", content: "weather?" },
      { role: "assistant", content: null, tool_calls: [call("c1", "get_weather"), call("c2", "calendar.list_events"), call("c3", "get_weather")] },
      { role: "tool", tool_call_id: "c1", content: "18C" },
      { role: "tool", tool_call_id: "c2", content: "none" },
      { role: "tool", tool_call_id: "c3", content: "19C" },
    ];
    const b = body(req({ messages }));
    expect(b.tools).toEqual([
      { name: "get_weather", input_schema: { type: "object" } },
      { name: "calendar_list_events", input_schema: { type: "object" } },
    ]);
    expect(b.tool_choice).toEqual({ type: "none" });
    expect(b.messages[1].content[1].name).toBe("calendar.list_events");
    const withTools = body(req({ messages, tools: [{ type: "function", function: { name: "f" } }] }));
    expect(withTools.tools.map((t: { name: string }) => t.name)).toEqual(["f"]);
    expect(withTools.tool_choice).toBeUndefined();
    const plain = body(req({}));
    expect(plain.tools).toBeUndefined();
    expect(plain.tool_choice).toBeUndefined();
  });

  test("parallel_tool_calls false without tool_choice asks for auto with parallel use disabled", () => {
    const tools = [{ type: "function", function: { name: "f" } }];
    expect(body(req({ tools, raw: { parallel_tool_calls: false } })).tool_choice).toEqual({ type: "auto", disable_parallel_tool_use: true });
    expect(body(req({ tools, tool_choice: "auto", raw: { parallel_tool_calls: false } })).tool_choice).toEqual({ type: "auto", disable_parallel_tool_use: true });
    expect(body(req({ tools, tool_choice: "none", raw: { parallel_tool_calls: false } })).tool_choice).toEqual({ type: "none" });
    expect(body(req({ tools, raw: { parallel_tool_calls: true } })).tool_choice).toBeUndefined();
  });

  test("sampling, stop, max tokens, user and stream", () => {
    const b = body(req({ temperature: 0.2, stop: "END", max_tokens: 50, max_completion_tokens: 70, stream: true, raw: { user: "u-1" } }));
    expect(b).toMatchObject({ temperature: 0.2, stop_sequences: ["END"], max_tokens: 70, stream: true, metadata: { user_id: "u-1" } });
    // Claude Sonnet 4.5 takes one of the two (sampling-pair.test.ts).
    expect(body(req({ top_p: 0.9 })).top_p).toBe(0.9);
    expect(body(req({ stop: ["a", "b"] })).stop_sequences).toEqual(["a", "b"]);
  });

  test("a whitespace-only stop sequence is a 400 naming stop (Anthropic: each stop sequence must contain non-whitespace)", () => {
    for (const stop of ["\n", ["END", " "], ["\n\n", "\t"]]) {
      let caught: unknown;
      try {
        buildAnthropicRequest(req({ stop }), target, "k");
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(UnsupportedParameterError);
      expect((caught as UnsupportedParameterError).param).toBe("stop");
      expect((caught as Error).message).toBe("This provider does not accept whitespace-only stop sequences.");
    }
    expect(body(req({ stop: [" END", "\nQ:"] })).stop_sequences).toEqual([" END", "\nQ:"]);
    expect(body(req({ stop: "" })).stop_sequences).toBeUndefined();
  });

  test("images: data URLs become base64 sources, http URLs url sources", () => {
    const b = body(
      req({
        messages: [
          {
            role: "user",
            content: [
              { type: "text", text: "what is this" },
              { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
              { type: "image_url", image_url: { url: "https://example.com/cat.jpg" } },
            ],
          },
        ],
      }),
    );
    expect(b.messages[0].content).toEqual([
      { type: "text", text: "what is this" },
      { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } },
      { type: "image", source: { type: "url", url: "https://example.com/cat.jpg" } },
    ]);
  });

  test("a data URL typed image/jpg (an alias many clients write) is sent as image/jpeg, the type Anthropic accepts", () => {
    const b = body(req({ messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "data:image/JPG;base64,/9j/4AAQ" } }] }] }));
    expect(b.messages[0].content).toEqual([{ type: "image", source: { type: "base64", media_type: "image/jpeg", data: "/9j/4AAQ" } }]);
  });

  test("response_format json_schema becomes a forced tool", () => {
    const schema = { type: "object", properties: { a: { type: "number" } }, required: ["a"] };
    const b = body(req({ response_format: { type: "json_schema", json_schema: { name: "thing", schema } } }));
    expect(b.tools).toEqual([{ name: JSON_TOOL_NAME, description: "Respond with the thing object.", input_schema: schema }]);
    expect(b.tool_choice).toEqual({ type: "tool", name: JSON_TOOL_NAME });
    const withTools = body(req({ response_format: { type: "json_object" }, tools: [{ type: "function", function: { name: "f" } }] }));
    expect(withTools.tools.map((t: { name: string }) => t.name)).toEqual(["f", JSON_TOOL_NAME]);
    expect(withTools.tool_choice).toEqual({ type: "any" });
    expect(body(req({ response_format: { type: "text" } })).tools).toBeUndefined();
  });

  test("parameters Anthropic cannot honour are refused, naming the parameter", () => {
    const cases: [Partial<ChatRequest> & { raw?: Record<string, unknown> }, string][] = [
      [{ raw: { n: 2 } }, "n"],
      [{ raw: { logprobs: true } }, "logprobs"],
      [{ raw: { presence_penalty: 0.5 } }, "presence_penalty"],
      [{ raw: { seed: 1 } }, "seed"],
      [{ temperature: 1.5 }, "temperature"],
      [{ messages: [{ role: "user", content: [{ type: "input_audio", input_audio: {} }] }] }, "messages[0].content[0].type"],
      [{ messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "data:image/tiff;base64,AA" } }] }] }, "messages[0].content[0].image_url.url"],
      [{ tools: [{ type: "function", function: { name: JSON_TOOL_NAME } }] }, "tools[0].function.name"],
      [{ tool_choice: "sometimes" }, "tool_choice"],
      [{ response_format: { type: "yaml" } }, "response_format"],
      [{ raw: { functions: [{ name: "f", parameters: { type: "object" } }] } }, "functions"],
      [{ raw: { function_call: "auto" } }, "function_call"],
      [{ raw: { web_search_options: {} } }, "web_search_options"],
      [{ raw: { prediction: { type: "content", content: "x" } } }, "prediction"],
      [{ raw: { service_tier: "flex" } }, "service_tier"],
      [{ raw: { service_tier: "priority" } }, "service_tier"],
      // Names Object.prototype has: refused like any other unknown tier, not dropped or sent as {}.
      [{ raw: { service_tier: "constructor" } }, "service_tier"],
      [{ raw: { service_tier: "__proto__" } }, "service_tier"],
      [{ raw: { service_tier: "toString" } }, "service_tier"],
      [{ raw: { verbosity: "low" } }, "verbosity"],
      [{ raw: { metadata: { team: "x" } } }, "metadata"],
      [{ raw: { store: true } }, "store"],
      [{ raw: { top_logprobs: 2 } }, "top_logprobs"],
      [{ raw: { logit_bias: { "1": 5 } } }, "logit_bias"],
      [{ raw: { frequency_penalty: 0.5 } }, "frequency_penalty"],
      [{ raw: { modalities: ["text", "audio"] } }, "modalities"],
    ];
    for (const [fields, param] of cases) {
      let caught: unknown;
      try {
        buildAnthropicRequest(req(fields), target, "k");
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(UnsupportedParameterError);
      expect((caught as UnsupportedParameterError).param).toBe(param);
    }
    // No-op values are accepted.
    expect(() => buildAnthropicRequest(req({ raw: { n: 1, logprobs: false, presence_penalty: 0, verbosity: "medium", store: false, metadata: {}, modalities: ["text"] } }), target, "k")).not.toThrow();
  });

  test("whitespace-only text is not sent (Anthropic: text content blocks must contain non-whitespace text)", () => {
    const call = { id: "toolu_1", type: "function" as const, function: { name: "weather", arguments: '{"city":"Lyon"}' } };
    const b = body(
      req({
        messages: [
          { role: "system", content: "\n" },
          { role: "user", content: [{ type: "text", text: "weather in Lyon?" }, { type: "text", text: " \t" }] },
          { role: "assistant", content: "\n\n", tool_calls: [call] },
          { role: "tool", tool_call_id: "toolu_1", content: "12C" },
          { role: "assistant", content: [{ type: "text", text: "  " }, { type: "text", text: "Lyon: 12C." }] },
          { role: "user", content: "thanks" },
        ],
      }),
    );
    expect(b.system).toBeUndefined();
    expect(b.messages).toEqual([
      { role: "user", content: [{ type: "text", text: "weather in Lyon?" }] },
      { role: "assistant", content: [{ type: "tool_use", id: "toolu_1", name: "weather", input: { city: "Lyon" } }] },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "toolu_1", content: "12C" }] },
      { role: "assistant", content: [{ type: "text", text: "Lyon: 12C." }] },
      { role: "user", content: [{ type: "text", text: "thanks" }] },
    ]);
  });

  test("a user message with nothing but whitespace (or nothing) is a 400 naming its content, not a turn silently dropped", () => {
    for (const content of ["\n", " ", "", [{ type: "text", text: "\n\n" }], []] as ChatMessage["content"][]) {
      let caught: unknown;
      try {
        buildAnthropicRequest(req({ messages: [{ role: "user", content: "hi" }, { role: "assistant", content: "hello" }, { role: "user", content }] }), target, "k");
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(UnsupportedParameterError);
      expect((caught as UnsupportedParameterError).param).toBe("messages[2].content");
      expect((caught as Error).message).toBe("This provider does not accept a user message without non-whitespace text or an image.");
    }
  });

  test("service_tier maps to Anthropic's: auto stays auto, default is standard_only", () => {
    expect(body(req({ raw: { service_tier: "auto" } })).service_tier).toBe("auto");
    expect(body(req({ raw: { service_tier: "default" } })).service_tier).toBe("standard_only");
    expect(body(req({})).service_tier).toBeUndefined();
  });
});
