import { describe, expect, test } from "bun:test";
import type { SnapshotDeployment } from "../../../shared/snapshot/schema.ts";
import type { ChatMessage, ChatRequest } from "../types.ts";
import { UnsupportedParameterError } from "../unsupported-parameter.ts";
import { buildGeminiRequest } from "./request.ts";

const target: SnapshotDeployment = { id: "dep_g", provider: "gemini", baseUrl: "https://generativelanguage.googleapis.com/", model: "gemini-2.5-flash", region: "eu", credentialRef: "env:G" };

function req(fields: Partial<ChatRequest> & { raw?: Record<string, unknown> }): ChatRequest {
  return { model: "alias", messages: [{ role: "user", content: "hi" }], stream: false, includeUsage: false, raw: {}, ...fields };
}
const body = (r: ChatRequest) => JSON.parse(buildGeminiRequest(r, target, "AIza-secret").body) as Record<string, any>;

/** Building the request throws UnsupportedParameterError naming `param` (a 400 for the caller). */
function expectRefused(fields: Partial<ChatRequest>, param: string): void {
  let caught: unknown;
  try {
    buildGeminiRequest(req(fields), target, "k");
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(UnsupportedParameterError);
  expect((caught as UnsupportedParameterError).param).toBe(param);
}

describe("gemini buildRequest", () => {
  test("URLs and the key header come from the deployment only", () => {
    const plain = buildGeminiRequest(req({ model: "../../evil" }), target, "AIza-secret");
    expect(plain.url).toBe("https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:generateContent");
    expect(plain.headers["x-goog-api-key"]).toBe("AIza-secret");
    expect(plain.url).not.toContain("AIza");
    expect(buildGeminiRequest(req({ stream: true }), target, "k").url).toBe("https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse");
    const odd = buildGeminiRequest(req({}), { ...target, model: "x/../../y?z" }, "k");
    expect(new URL(odd.url).pathname).toBe("/v1beta/models/x%2F..%2F..%2Fy%3Fz:generateContent");
  });

  test("system instruction, roles, merging, generation config", () => {
    const b = body(
      req({
        messages: [
          { role: "system", content: "Be brief." },
          { role: "developer", content: "Speak French." },
          { role: "user", content: "one" },
          { role: "user", content: [{ type: "text", text: "two" }] },
          { role: "assistant", content: "deux" },
          { role: "user", content: "three" },
        ],
        temperature: 1.4,
        top_p: 0.5,
        max_tokens: 20,
        stop: ["X"],
        raw: { seed: 7, presence_penalty: 0.1 },
      }),
    );
    expect(b.systemInstruction).toEqual({ parts: [{ text: "Be brief." }, { text: "Speak French." }] });
    expect(b.contents).toEqual([
      { role: "user", parts: [{ text: "one" }, { text: "two" }] },
      { role: "model", parts: [{ text: "deux" }] },
      { role: "user", parts: [{ text: "three" }] },
    ]);
    expect(b.generationConfig).toEqual({ temperature: 1.4, topP: 0.5, maxOutputTokens: 20, stopSequences: ["X"], seed: 7, presencePenalty: 0.1 });
  });

  test("tool calls become functionCall parts and tool results functionResponse parts named after the call", () => {
    const b = body(
      req({
        messages: [
          { role: "user", content: "weather?" },
          {
            role: "assistant",
            content: null,
            tool_calls: [
              { id: "call_1", type: "function", function: { name: "get_weather", arguments: '{"city":"Paris"}' } },
              { id: "call_2", type: "function", function: { name: "get_weather", arguments: "{}" } },
            ],
          },
          { role: "tool", tool_call_id: "call_1", content: '{"temp":18}' },
          { role: "tool", tool_call_id: "call_2", content: "plain words" },
        ],
        tools: [{ type: "function", function: { name: "get_weather", description: "d", parameters: { type: "object", properties: { city: { type: ["string", "null"] } }, additionalProperties: false } } }],
        tool_choice: { type: "function", function: { name: "get_weather" } },
      }),
    );
    expect(b.contents[1]).toEqual({
      role: "model",
      parts: [
        { functionCall: { id: "call_1", name: "get_weather", args: { city: "Paris" } }, thoughtSignature: "skip_thought_signature_validator" },
        { functionCall: { id: "call_2", name: "get_weather", args: {} } },
      ],
    });
    expect(b.contents[2]).toEqual({
      role: "user",
      parts: [
        { functionResponse: { id: "call_1", name: "get_weather", response: { temp: 18 } } },
        { functionResponse: { id: "call_2", name: "get_weather", response: { content: "plain words" } } },
      ],
    });
    expect(b.tools).toEqual([{ functionDeclarations: [{ name: "get_weather", description: "d", parameters: { type: "object", properties: { city: { type: "string", nullable: true } } } }] }]);
    expect(b.toolConfig).toEqual({ functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["get_weather"] } });
  });

  test("an assistant message with tool_calls and no content key becomes functionCall parts only", () => {
    const call = { id: "call_1", type: "function" as const, function: { name: "get_weather", arguments: "{}" } };
    const noContent = { role: "assistant", tool_calls: [call] } as unknown as ChatMessage;
    const b = body(req({ messages: [{ role: "user", content: "weather?" }, noContent, { role: "tool", tool_call_id: "call_1", content: "18C" }] }));
    expect(b.contents[1]).toEqual({ role: "model", parts: [{ functionCall: { id: "call_1", name: "get_weather", args: {} }, thoughtSignature: "skip_thought_signature_validator" }] });
  });

  test("a function without parameters, or with an object schema of no properties, is declared without parameters", () => {
    // Gemini refuses `parameters: {type: "object", properties: {}}`: "parameters.properties: should be non-empty for OBJECT type".
    const tools = [
      { type: "function", function: { name: "now" } },
      { type: "function", function: { name: "today", parameters: { type: "object", properties: {} } } },
      { type: "function", function: { name: "ping", parameters: { type: "object", properties: {}, required: [], additionalProperties: false } } },
      { type: "function", function: { name: "bare", parameters: { type: "object" } } },
      { type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } },
    ];
    expect(body(req({ tools })).tools).toEqual([
      {
        functionDeclarations: [
          { name: "now" },
          { name: "today" },
          { name: "ping" },
          { name: "bare" },
          { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } },
        ],
      },
    ]);
  });

  test("parameters {} or a typeless schema without properties declare no parameters; a typeless one with properties is an object", () => {
    const tools = [
      { type: "function", function: { name: "empty", parameters: {} } },
      { type: "function", function: { name: "draft", parameters: { $schema: "http://json-schema.org/draft-07/schema#", additionalProperties: false } } },
      { type: "function", function: { name: "mcp", parameters: { properties: { q: { type: "string" } }, required: ["q"] } } },
    ];
    expect(body(req({ tools })).tools).toEqual([
      { functionDeclarations: [{ name: "empty" }, { name: "draft" }, { name: "mcp", parameters: { type: "object", properties: { q: { type: "string" } }, required: ["q"] } }] },
    ]);
  });

  test("tool_choice modes", () => {
    const tools = [{ type: "function", function: { name: "f" } }];
    expect(body(req({ tools, tool_choice: "auto" })).toolConfig).toEqual({ functionCallingConfig: { mode: "AUTO" } });
    expect(body(req({ tools, tool_choice: "none" })).toolConfig).toEqual({ functionCallingConfig: { mode: "NONE" } });
    expect(body(req({ tools, tool_choice: "required" })).toolConfig).toEqual({ functionCallingConfig: { mode: "ANY" } });
    expect(body(req({ tools })).toolConfig).toBeUndefined();
  });

  test("images: inlineData for data URLs, fileData for http URLs", () => {
    const b = body(
      req({
        messages: [
          {
            role: "user",
            content: [
              { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
              { type: "image_url", image_url: { url: "https://example.com/a/cat.webp?x=1" } },
            ],
          },
        ],
      }),
    );
    expect(b.contents[0].parts).toEqual([{ inlineData: { mimeType: "image/png", data: "iVBORw0KGgo=" } }, { fileData: { mimeType: "image/webp", fileUri: "https://example.com/a/cat.webp?x=1" } }]);
  });

  test("a data URL typed image/jpg is sent as image/jpeg, the type Gemini lists", () => {
    const b = body(req({ messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "data:image/jpg;base64,/9j/4AAQ" } }] }] }));
    expect(b.contents[0].parts).toEqual([{ inlineData: { mimeType: "image/jpeg", data: "/9j/4AAQ" } }]);
  });

  test("names Object.prototype has find nothing: an image ending in .constructor gets the default type, a type list naming one builds", () => {
    const image = body(req({ messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://example.com/a.constructor" } }] }] }));
    expect(image.contents[0].parts).toEqual([{ fileData: { mimeType: "image/jpeg", fileUri: "https://example.com/a.constructor" } }]);
    const schema = { type: "object", properties: { a: { type: ["string", "constructor", "null"], minLength: 1 } } };
    const built = body(req({ response_format: { type: "json_schema", json_schema: { name: "o", schema } } }));
    expect(built.generationConfig.responseSchema.properties.a).toEqual({ anyOf: [{ type: "string", minLength: 1 }, { type: "constructor" }], nullable: true });
  });

  test("an http image URL that does not parse is refused, naming the part", () => {
    const bad = req({ messages: [{ role: "user", content: [{ type: "text", text: "see" }, { type: "image_url", image_url: { url: "http://[bad/x.png" } }] }] });
    let caught: unknown;
    try {
      buildGeminiRequest(bad, target, "k");
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(UnsupportedParameterError);
    expect((caught as UnsupportedParameterError).param).toBe("messages[0].content[1].image_url.url");
  });

  test("response_format: JSON mime type and schema", () => {
    expect(body(req({ response_format: { type: "json_object" } })).generationConfig).toEqual({ responseMimeType: "application/json" });
    const schema = { type: "object", properties: { a: { type: "integer" } }, required: ["a"], additionalProperties: false, $schema: "x" };
    expect(body(req({ response_format: { type: "json_schema", json_schema: { name: "n", schema, strict: true } } })).generationConfig).toEqual({
      responseMimeType: "application/json",
      responseSchema: { type: "object", properties: { a: { type: "integer" } }, required: ["a"] },
    });
  });

  test("what Gemini cannot honour is refused, naming the parameter", () => {
    const cases: [Partial<ChatRequest> & { raw?: Record<string, unknown> }, string][] = [
      [{ raw: { logprobs: true } }, "logprobs"],
      [{ raw: { logit_bias: { "1": 5 } } }, "logit_bias"],
      [{ messages: [{ role: "tool", tool_call_id: "nope", content: "x" }] }, "messages[0].tool_call_id"],
      [{ messages: [{ role: "user", content: [{ type: "input_audio", input_audio: {} }] }] }, "messages[0].content[0].type"],
      [{ tools: [{ type: "code_interpreter" }] }, "tools[0]"],
      [{ response_format: { type: "xml" } }, "response_format"],
      [{ raw: { functions: [{ name: "f", parameters: { type: "object" } }] } }, "functions"],
      [{ raw: { function_call: "auto" } }, "function_call"],
      [{ raw: { web_search_options: {} } }, "web_search_options"],
      [{ raw: { prediction: { type: "content", content: "x" } } }, "prediction"],
      [{ raw: { service_tier: "flex" } }, "service_tier"],
      [{ raw: { verbosity: "high" } }, "verbosity"],
      [{ raw: { metadata: { team: "x" } } }, "metadata"],
      [{ raw: { store: true } }, "store"],
      [{ raw: { user: "u-1" } }, "user"],
      [{ raw: { top_logprobs: 2 } }, "top_logprobs"],
      [{ raw: { audio: { voice: "alloy", format: "mp3" } } }, "audio"],
      [{ tools: [{ type: "function", function: { name: "f" } }], raw: { parallel_tool_calls: false } }, "parallel_tool_calls"],
    ];
    for (const [fields, param] of cases) expectRefused(fields, param);
  });

  test("n > 1 is candidateCount, each candidate capped by maxOutputTokens; n: 1 (Gemini's default) sends nothing", () => {
    expect(body(req({ max_tokens: 50, raw: { n: 3 } })).generationConfig).toEqual({ candidateCount: 3, maxOutputTokens: 50 });
    expect(body(req({ raw: { n: 1 } }))).toEqual(body(req({})));
  });

  test("no-op values of what Gemini cannot honour are accepted and not sent", () => {
    const raw = { n: 1, logprobs: false, parallel_tool_calls: true, service_tier: "auto", verbosity: "medium", store: false, metadata: {}, user: "", modalities: ["text"] };
    const b = body(req({ tools: [{ type: "function", function: { name: "f" } }], raw }));
    expect(Object.keys(b).sort()).toEqual(["contents", "tools"]);
    expect(body(req({ raw: { service_tier: "default" } }))).toEqual(body(req({})));
  });

  test("parallel_tool_calls: false without tools asks for nothing (no function can be called): accepted and not sent", () => {
    expect(body(req({ raw: { parallel_tool_calls: false } }))).toEqual(body(req({})));
    expect(body(req({ raw: { tools: [], parallel_tool_calls: false } }))).toEqual(body(req({ raw: { tools: [] } })));
  });

  test("parallel_tool_calls: false with tools and tool_choice none asks for nothing either (no call can be made): accepted and not sent", () => {
    const tools = [{ type: "function", function: { name: "f" } }];
    expect(body(req({ tools, tool_choice: "none", raw: { parallel_tool_calls: false } }))).toEqual(body(req({ tools, tool_choice: "none" })));
  });

  test("a schema Gemini cannot take is refused naming the tool's parameters or the response format", () => {
    const recursive = { $defs: { N: { type: "object", properties: { next: { $ref: "#/$defs/N" } } } }, $ref: "#/$defs/N" };
    const cases: [Partial<ChatRequest>, string][] = [
      [{ tools: [{ type: "function", function: { name: "ok" } }, { type: "function", function: { name: "f", parameters: recursive } }] }, "tools[1].function.parameters"],
      [{ response_format: { type: "json_schema", json_schema: { name: "n", schema: recursive } } }, "response_format.json_schema.schema"],
    ];
    for (const [fields, param] of cases) expectRefused(fields, param);
  });
});

describe("gemini tools with a JSON response_format", () => {
  const tools = [{ type: "function", function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }];
  const schema = { type: "object", properties: { echo: { type: "string" } }, required: ["echo"] };
  const asJson = [{ type: "json_object" }, { type: "json_schema", json_schema: { name: "answer", schema } }];
  const build = (model: string, fields: Partial<ChatRequest>) => JSON.parse(buildGeminiRequest(req(fields), { ...target, model }, "k").body) as Record<string, any>;

  test("before Gemini 3 (which answers 400 'Function calling with a response mime type: application/json is unsupported'), a 400 naming response_format, before the call", () => {
    for (const model of ["gemini-2.5-flash", "gemini-2.0-flash-001", "gemini-1.5-pro", "models/gemini-2.5-pro"]) {
      for (const response_format of asJson) {
        let caught: unknown;
        try {
          build(model, { tools, response_format });
        } catch (error) {
          caught = error;
        }
        expect([model, (caught as UnsupportedParameterError | undefined)?.param]).toEqual([model, "response_format"]);
      }
    }
  });

  test("Gemini 3 and model ids of another form (an alias, a tuned model) send both, for the vendor to judge", () => {
    for (const model of ["gemini-3-pro-preview", "gemini-3.1-flash", "gemini-flash-latest", "tunedModels/my-model"]) {
      const sent = build(model, { tools, response_format: asJson[1] });
      expect([model, sent.tools[0].functionDeclarations[0].name, sent.generationConfig.responseMimeType]).toEqual([model, "get_weather", "application/json"]);
    }
  });

  test("before Gemini 3, tools with a text response_format, or a JSON one without tools, are sent", () => {
    expect(build("gemini-2.5-flash", { tools, response_format: { type: "text" } }).tools[0].functionDeclarations.length).toBe(1);
    expect(build("gemini-2.5-flash", { tools: [], response_format: asJson[0] }).generationConfig.responseMimeType).toBe("application/json");
  });
});

describe("gemini n (candidateCount)", () => {
  const build = (model: string, n: number) => JSON.parse(buildGeminiRequest(req({ raw: { n } }), { ...target, model }, "k").body) as Record<string, any>;
  const refusal = (model: string, n: number) => {
    try {
      build(model, n);
      return null;
    } catch (error) {
      return (error as UnsupportedParameterError).param;
    }
  };

  test("Gemini 2.x: n up to 8 is sent as candidateCount", () => {
    expect(build("gemini-2.5-flash", 8).generationConfig.candidateCount).toBe(8);
    expect(build("models/gemini-2.0-flash-001", 2).generationConfig.candidateCount).toBe(2);
  });

  test("more than 8, or any model that is not Gemini 2.x (Gemini 3 and 1.x refuse several candidates; an id of another form says no series): a 400 naming n before the call", () => {
    expect(refusal("gemini-2.5-flash", 9)).toBe("n");
    for (const model of ["gemini-3-pro-preview", "gemini-3.1-flash-lite", "gemini-1.5-pro", "gemini-pro", "gemini-flash-latest", "tunedModels/t"]) expect([model, refusal(model, 2)]).toEqual([model, "n"]);
  });

  test("n: 1 is sent nowhere, on any model", () => {
    expect(build("gemini-3-pro-preview", 1).generationConfig?.candidateCount).toBeUndefined();
  });
});
