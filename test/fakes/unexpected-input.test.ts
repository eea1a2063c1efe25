/**
 * Whatever a request holds, a fake answers as its vendor would: an answer, or the vendor's own 4xx
 * error JSON; never a 500 from an exception in the fake. Each case starts from a valid request and puts
 * an unexpected value (null, a number, a string, an empty or odd array or object, or nothing) at one
 * place in it, everywhere in turn.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startFakeAnthropic } from "./anthropic.ts";
import { startFakeAzure } from "./azure.ts";
import type { FakeVendor } from "./fake-server.ts";
import { startFakeGemini } from "./gemini.ts";
import { startFakeOpenAI } from "./openai.ts";

const ODD: unknown[] = [undefined, null, 0, -1, 2.5, 1e9, "", "x", true, [], {}, [null], [1], { a: null }];

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every copy of `body` with one value replaced by one of ODD (undefined: the key removed, the item dropped). */
function* variants(body: Json, label = "$"): Generator<[string, unknown]> {
  for (const value of ODD) yield [`${label} = ${JSON.stringify(value)}`, value];
  if (Array.isArray(body)) {
    for (const [i, item] of body.entries()) {
      for (const [where, changed] of variants(item, `${label}[${i}]`)) {
        yield [where, changed === undefined ? body.filter((_, j) => j !== i) : body.map((x, j) => (j === i ? changed : x))];
      }
    }
  } else if (body !== null && typeof body === "object") {
    for (const key of Object.keys(body)) {
      for (const [where, changed] of variants(body[key]!, `${label}.${key}`)) {
        const copy: Record<string, unknown> = { ...body };
        if (changed === undefined) delete copy[key];
        else copy[key] = changed;
        yield [where, copy];
      }
    }
  }
}

/** The vendor's error JSON for a status, or why the answer is not it. */
type ErrorShape = (status: number, body: any) => boolean;

const openaiShape: ErrorShape = (status, body) =>
  status >= 400 && status < 500 && typeof body?.error?.message === "string" && Object.keys(body.error).sort().join() === "code,message,param,type";
const anthropicShape: ErrorShape = (status, body) => status >= 400 && status < 500 && body?.type === "error" && typeof body.error?.type === "string" && typeof body.error.message === "string";
const googleShape: ErrorShape = (status, body) => status >= 400 && status < 500 && body?.error?.code === status && typeof body.error.status === "string" && typeof body.error.message === "string";

interface Endpoint {
  name: string;
  url: () => string;
  headers: Record<string, string>;
  body: Json;
  shape: ErrorShape;
}

/** Sends every variant; answers the ones that got neither a 200 nor the vendor's 4xx error JSON. */
async function misanswered(endpoint: Endpoint): Promise<string[]> {
  const wrong: string[] = [];
  for (const [where, body] of variants(endpoint.body)) {
    const res = await fetch(endpoint.url(), { method: "POST", headers: { "content-type": "application/json", ...endpoint.headers }, body: body === undefined ? "" : JSON.stringify(body) });
    const text = await res.text();
    if (res.status === 200) continue;
    let parsed: unknown = null;
    try {
      parsed = JSON.parse(text);
    } catch {}
    if (!endpoint.shape(res.status, parsed)) wrong.push(`${where} → ${res.status} ${text.slice(0, 160)}`);
  }
  return wrong;
}

let openai: FakeVendor;
let azure: FakeVendor;
let anthropic: FakeVendor;
let gemini: FakeVendor;
beforeAll(async () => {
  [openai, azure, anthropic, gemini] = await Promise.all([startFakeOpenAI({ apiKey: "k" }), startFakeAzure({ apiKey: "k" }), startFakeAnthropic({ apiKey: "k" }), startFakeGemini({ apiKey: "k" })]);
});
afterAll(async () => {
  await Promise.all([openai.stop(), azure.stop(), anthropic.stop(), gemini.stop()]);
});

const openaiChat = (stream: boolean): Json => ({
  model: "gpt-fake",
  messages: [
    { role: "system", content: "be brief" },
    { role: "user", content: [{ type: "text", text: "call tool" }] },
    { role: "assistant", content: null, tool_calls: [{ id: "c1", type: "function", function: { name: "lookup", arguments: "{}" } }] },
    { role: "tool", tool_call_id: "c1", content: "42" },
    { role: "user", content: "call tool again" },
  ],
  tools: [{ type: "function", function: { name: "lookup", parameters: { type: "object" } } }],
  // Streamed, the walk also runs through the tools a "required" choice picks from.
  tool_choice: stream ? "required" : { type: "function", function: { name: "lookup" } },
  response_format: { type: "json_object" },
  ...(stream ? { stream: true, stream_options: { include_usage: true } } : { stream: false }),
});

const AZURE = "/openai/deployments/gpt4o/chat/completions?api-version=2024-10-21";
const endpoints = (): Endpoint[] => [
  { name: "OpenAI chat", url: () => `${openai.url}/v1/chat/completions`, headers: { authorization: "Bearer k" }, body: openaiChat(false), shape: openaiShape },
  { name: "OpenAI chat, streamed", url: () => `${openai.url}/v1/chat/completions`, headers: { authorization: "Bearer k" }, body: openaiChat(true), shape: openaiShape },
  { name: "OpenAI embeddings", url: () => `${openai.url}/v1/embeddings`, headers: { authorization: "Bearer k" }, body: { model: "text-embedding-3-small", input: ["a", "b"], dimensions: 8, encoding_format: "float" }, shape: openaiShape },
  { name: "Azure chat", url: () => `${azure.url}${AZURE}`, headers: { "api-key": "k" }, body: openaiChat(false), shape: openaiShape },
  { name: "Azure chat, streamed", url: () => `${azure.url}${AZURE}`, headers: { "api-key": "k" }, body: openaiChat(true), shape: openaiShape },
  { name: "Azure embeddings", url: () => `${azure.url}/openai/deployments/embed/embeddings?api-version=2024-10-21`, headers: { "api-key": "k" }, body: { input: ["a", "b"], dimensions: 8, encoding_format: "base64" }, shape: openaiShape },
  ...[false, true].map(
    (stream): Endpoint => ({
      name: stream ? "Anthropic messages, streamed" : "Anthropic messages",
      url: () => `${anthropic.url}/v1/messages`,
      headers: { "x-api-key": "k", "anthropic-version": "2023-06-01" },
      body: {
        model: "claude-fake",
        max_tokens: 100,
        system: [{ type: "text", text: "be brief" }],
        messages: [
          { role: "user", content: [{ type: "text", text: "call tool" }] },
          { role: "assistant", content: [{ type: "tool_use", id: "t1", name: "lookup", input: {} }] },
          { role: "user", content: [{ type: "tool_result", tool_use_id: "t1", content: "42" }, { type: "text", text: "call tool again" }] },
        ],
        tools: [{ name: "lookup", input_schema: { type: "object" } }],
        tool_choice: stream ? { type: "any" } : { type: "tool", name: "lookup" },
        stop_sequences: ["zzz"],
        stream,
      },
      shape: anthropicShape,
    }),
  ),
  ...["generateContent", "streamGenerateContent?alt=sse"].map(
    (method): Endpoint => ({
      name: `Gemini ${method}`,
      url: () => `${gemini.url}/v1beta/models/gemini-3-fake:${method}`,
      headers: { "x-goog-api-key": "k" },
      body: {
        contents: [
          { role: "user", parts: [{ text: "call tool" }] },
          { role: "model", parts: [{ functionCall: { name: "lookup", args: {} }, thoughtSignature: "skip_thought_signature_validator" }] },
          { role: "user", parts: [{ functionResponse: { name: "lookup", response: {} } }, { text: "call tool again" }] },
        ],
        systemInstruction: { parts: [{ text: "be brief" }] },
        tools: [{ functionDeclarations: [{ name: "lookup", parameters: { type: "OBJECT" } }] }],
        toolConfig: { functionCallingConfig: method === "generateContent" ? { mode: "ANY", allowedFunctionNames: ["lookup"] } : { mode: "AUTO" } },
        generationConfig: { stopSequences: ["zzz"], maxOutputTokens: 100, responseMimeType: "application/json" },
      },
      shape: googleShape,
    }),
  ),
  { name: "Gemini embedContent", url: () => `${gemini.url}/v1beta/models/gemini-embedding-001:embedContent`, headers: { "x-goog-api-key": "k" }, body: { content: { parts: [{ text: "a" }] }, outputDimensionality: 8 }, shape: googleShape },
  {
    name: "Gemini batchEmbedContents",
    url: () => `${gemini.url}/v1beta/models/gemini-embedding-001:batchEmbedContents`,
    headers: { "x-goog-api-key": "k" },
    body: { requests: [{ model: "models/gemini-embedding-001", content: { parts: [{ text: "a" }] }, outputDimensionality: 8 }] },
    shape: googleShape,
  },
];

describe("an unexpected value anywhere in a request is answered, never thrown", () => {
  for (const endpoint of endpoints()) {
    test(endpoint.name, async () => {
      expect(await misanswered(endpoint)).toEqual([]);
    });
  }
});

test("tool_choice null is OpenAI's 'not given': the default, auto with tools, none without", async () => {
  const chat = async (url: string, headers: Record<string, string>, fields: Record<string, unknown>) => {
    const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify({ model: "gpt-fake", messages: [{ role: "user", content: "call tool now" }], ...fields }) });
    return { status: res.status, body: (await res.json()) as any };
  };
  const tools = [{ type: "function", function: { name: "lookup" } }];
  for (const [url, headers] of [[`${openai.url}/v1/chat/completions`, { authorization: "Bearer k" }], [`${azure.url}${AZURE}`, { "api-key": "k" }]] as const) {
    const withTools = await chat(url, headers, { tools, tool_choice: null });
    expect(withTools.status).toBe(200);
    expect(withTools.body.choices[0]).toMatchObject({ finish_reason: "tool_calls", message: { tool_calls: [{ function: { name: "lookup" } }] } });
    const without = await chat(url, headers, { tools: null, tool_choice: null });
    expect(without.status).toBe(200);
    expect(without.body.choices[0]).toMatchObject({ finish_reason: "stop", message: { content: "Echo: call tool now" } });
  }
});

test("a deployment or model name that is not valid percent-encoding is the vendor's 404, not a thrown URIError", async () => {
  const azureRes = await fetch(`${azure.url}/openai/deployments/%E0%A4%A/chat/completions?api-version=2024-10-21`, { method: "POST", headers: { "api-key": "k" }, body: "{}" });
  expect(azureRes.status).toBe(404);
  expect(await azureRes.json()).toEqual({ error: { code: "404", message: "Resource not found" } });
  for (const method of ["generateContent", "embedContent"]) {
    const geminiRes = await fetch(`${gemini.url}/v1beta/models/%E0%A4%A:${method}`, { method: "POST", headers: { "x-goog-api-key": "k" }, body: "{}" });
    expect(geminiRes.status).toBe(404);
    expect(googleShape(404, await geminiRes.json())).toBe(true);
  }
});

test("a wrong field is refused in the vendor's words, naming the field", async () => {
  const send = async (url: string, headers: Record<string, string>, body: unknown) => {
    const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
    return [res.status, await res.json()];
  };
  const user = { role: "user", content: "hi" };
  const openaiChat = (fields: Record<string, unknown>) => send(`${openai.url}/v1/chat/completions`, { authorization: "Bearer k" }, { model: "m", messages: [user], ...fields });
  const refused = (message: string, param: string, code: string | null) => [400, { error: { message, type: "invalid_request_error", param, code } }];
  expect(await openaiChat({ messages: [user, null] })).toEqual(refused("Invalid type for 'messages[1]': expected an object, but got null instead.", "messages[1]", "invalid_type"));
  expect(await openaiChat({ messages: [{ role: "user" }] })).toEqual(refused("Missing required parameter: 'messages[0].content'.", "messages[0].content", "missing_required_parameter"));
  expect(await openaiChat({ tool_choice: "maybe" })).toEqual(refused("Invalid value: 'maybe'. Supported values are: 'none', 'auto', and 'required'.", "tool_choice", "invalid_value"));
  const withoutTools = refused("Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.", "tool_choice", null);
  expect(await openaiChat({ tool_choice: "required" })).toEqual(withoutTools);
  expect(await openaiChat({ tools: null, tool_choice: { type: "function", function: { name: "lookup" } } })).toEqual(withoutTools);
  expect((await openaiChat({ tool_choice: "none" }))[0]).toBe(200);
  expect(await openaiChat({ tool_choice: "auto" })).toEqual(withoutTools);
  const emptyTools = refused("Invalid 'tools': empty array. Expected an array with minimum length 1, but got an empty array instead.", "tools", "empty_array");
  expect(await openaiChat({ tools: [] })).toEqual(emptyTools);
  expect(await openaiChat({ tools: [], tool_choice: "none" })).toEqual(emptyTools);
  expect(await openaiChat({ max_tokens: "5" })).toEqual(refused("Invalid type for 'max_tokens': expected an integer, but got a string instead.", "max_tokens", "invalid_type"));
  expect(await openaiChat({ max_completion_tokens: 0 })).toEqual(refused("Invalid 'max_completion_tokens': integer below minimum value. Expected a value >= 1, but got 0 instead.", "max_completion_tokens", "integer_below_min_value"));
  expect((await openaiChat({ max_tokens: 5, max_completion_tokens: null }))[0]).toBe(200);
  expect(await openaiChat({ tools: [{ type: "function", function: { name: 7 } }] })).toEqual(refused("Invalid type for 'tools[0].function.name': expected a string, but got an integer instead.", "tools[0].function.name", "invalid_type"));

  const anthropicMessages = (fields: Record<string, unknown>) =>
    send(`${anthropic.url}/v1/messages`, { "x-api-key": "k", "anthropic-version": "2023-06-01" }, { model: "m", max_tokens: 9, messages: [user], ...fields });
  const anthropicRefused = async (fields: Record<string, unknown>) => {
    const [status, body] = await anthropicMessages(fields);
    return [status, body.error];
  };
  expect(await anthropicRefused({ messages: [{ role: "user", content: 5 }] })).toEqual([400, { type: "invalid_request_error", message: "messages.0.content: Input should be a valid list" }]);
  expect(await anthropicRefused({ messages: [{ role: "user", content: [{ type: "text", text: "hi" }, { type: "text", text: "\n\n" }] }] })).toEqual([400, { type: "invalid_request_error", message: "messages: text content blocks must contain non-whitespace text" }]);
  expect(await anthropicRefused({ messages: [{ role: "user", content: [{ type: "text", text: "" }] }] })).toEqual([400, { type: "invalid_request_error", message: "messages: text content blocks must be non-empty" }]);
  expect(await anthropicRefused({ stop_sequences: ["a", "\n"] })).toEqual([400, { type: "invalid_request_error", message: "stop_sequences: each stop sequence must contain non-whitespace" }]);
  expect(await anthropicRefused({ stop_sequences: ["a", 1] })).toEqual([400, { type: "invalid_request_error", message: "stop_sequences.1: Input should be a valid string" }]);
  expect(await anthropicRefused({ tool_choice: { type: "tool" } })).toEqual([400, { type: "invalid_request_error", message: "tool_choice.tool.name: Field required" }]);

  const generate = (fields: Record<string, unknown>) => send(`${gemini.url}/v1beta/models/gemini-fake:generateContent`, { "x-goog-api-key": "k" }, { contents: [{ role: "user", parts: [{ text: "hi" }] }], ...fields });
  const googleRefused = (message: string) => [400, { error: { code: 400, status: "INVALID_ARGUMENT", message } }];
  expect(await generate({ contents: [{ role: "user", parts: "x" }] })).toEqual(googleRefused(`Invalid value at 'contents[0].parts' (type.googleapis.com/google.ai.generativelanguage.v1beta.Part), "x"`));
  expect(await generate({ generationConfig: { stopSequences: 5 } })).toEqual(googleRefused("Invalid value at 'generation_config.stop_sequences' (TYPE_STRING), 5"));
  const declare = (parameters: unknown) => ({ tools: [{ functionDeclarations: [{ name: "f", parameters }] }] });
  expect(await generate(declare({ type: "OBJECT", properties: { unit: { type: "STRING", enum: ["c"] }, level: { type: "INTEGER", enum: [1, 2] } } }))).toEqual(
    googleRefused("Invalid value at 'tools[0].function_declarations[0].parameters.properties[1].value.enum[0]' (TYPE_STRING), 1"),
  );
  expect(await generate(declare({ type: "OBJECT", properties: { unit: { type: "STRING", enum: ["c", "f", null] } } }))).toEqual(
    googleRefused("Invalid value at 'tools[0].function_declarations[0].parameters.properties[0].value.enum[2]' (TYPE_STRING), null"),
  );
  expect(await generate({ generationConfig: { responseMimeType: "application/json", responseSchema: { type: "ARRAY", items: { anyOf: [{ type: "BOOLEAN", enum: [true] }] } } } })).toEqual(
    googleRefused("Invalid value at 'generation_config.response_schema.items.any_of[0].enum[0]' (TYPE_STRING), true"),
  );
  expect((await generate(declare({ type: "OBJECT", properties: { unit: { type: "STRING", enum: ["c", "f"], nullable: true } } })))[0]).toBe(200);
  expect(await generate({ tools: [null] })).toEqual(googleRefused("Invalid value at 'tools[0]' (type.googleapis.com/google.ai.generativelanguage.v1beta.Tool), null"));
});
