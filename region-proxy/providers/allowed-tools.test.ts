/**
 * OpenAI's newer tool_choice shape, `{type: "allowed_tools", allowed_tools: {mode, tools}}`
 * (platform.openai.com/docs/api-reference/chat/create: "Constrains the tools available to the model
 * to a pre-defined set. `auto` allows the model to pick from among the allowed tools and generate a
 * message. `required` requires the model to call one or more of the allowed tools."), through the
 * proxy with the openai SDK. Gemini says the same with functionCallingConfig.allowedFunctionNames
 * (ai.google.dev/api/caching#FunctionCallingConfig): mode ANY for `required`, VALIDATED ("either a
 * function call or a natural language response ... limited to any one of allowed_function_names";
 * Preview in ai.google.dev/gemini-api/docs/function-calling) for `auto`; a set naming every tool is
 * plain AUTO or ANY. Anthropic has no allowed set: allowing every tool is its auto or any; a subset is a 400
 * naming the field, as a parameter the vendor cannot honour.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startFakeAnthropic } from "../../test/fakes/anthropic.ts";
import { startFakeGemini } from "../../test/fakes/gemini.ts";
import { sendChat, startVendorBehindProxy, type VendorBehindProxy } from "../testing/vendor-behind-proxy.ts";

let gemini: VendorBehindProxy;
let claude: VendorBehindProxy;
let claude4: VendorBehindProxy;
beforeAll(async () => {
  gemini = await startVendorBehindProxy({ provider: "gemini", start: startFakeGemini }, { gemini: "gemini-2.5-flash" });
  claude = await startVendorBehindProxy({ provider: "anthropic", start: startFakeAnthropic }, { claude: "claude-sonnet-4-5" });
  claude4 = await startVendorBehindProxy({ provider: "anthropic", start: startFakeAnthropic }, { claude: "claude-sonnet-4-20250514" });
});
afterAll(async () => {
  await gemini?.stop();
  await claude?.stop();
  await claude4?.stop();
});

const fn = (name: string) => ({ type: "function", function: { name, parameters: { type: "object", properties: { city: { type: "string" } } } } });
const tools = [fn("get_weather"), fn("get_time")];
const messages = [{ role: "user", content: "weather?" }];
const allowed = (mode: string, ...names: string[]) => ({ type: "allowed_tools", allowed_tools: { mode, tools: names.map((name) => ({ type: "function", function: { name } })) } });

test("Gemini: allowed_tools required is mode ANY with allowedFunctionNames; the call comes back", async () => {
  const { sent } = await sendChat(gemini, { model: "gemini", messages, tools, tool_choice: allowed("required", "get_time") });
  expect(sent.toolConfig).toEqual({ functionCallingConfig: { mode: "ANY", allowedFunctionNames: ["get_time"] } });
  const answer = await gemini.client.chat.completions.create({ model: "gemini", messages, tools, tool_choice: allowed("required", "get_time") } as never);
  expect(answer.choices[0]!.message.tool_calls![0]!).toMatchObject({ type: "function", function: { name: "get_time" } });
});

test("Gemini: allowed_tools auto naming some of the tools is mode VALIDATED (Preview) with allowedFunctionNames", async () => {
  const { sent } = await sendChat(gemini, { model: "gemini", messages, tools, tool_choice: allowed("auto", "get_weather") });
  expect(sent.toolConfig).toEqual({ functionCallingConfig: { mode: "VALIDATED", allowedFunctionNames: ["get_weather"] } });
});

test("Gemini: allowed_tools naming every tool is plain AUTO or ANY, without allowedFunctionNames (the same meaning, no Preview mode)", async () => {
  expect((await sendChat(gemini, { model: "gemini", messages, tools, tool_choice: allowed("auto", "get_time", "get_weather") })).sent.toolConfig).toEqual({ functionCallingConfig: { mode: "AUTO" } });
  expect((await sendChat(gemini, { model: "gemini", messages, tools, tool_choice: allowed("required", "get_weather", "get_time", "get_weather") })).sent.toolConfig).toEqual({ functionCallingConfig: { mode: "ANY" } });
});

test("Anthropic: allowed_tools naming every tool is auto or any", async () => {
  expect((await sendChat(claude, { model: "claude", messages, tools, tool_choice: allowed("auto", "get_time", "get_weather") })).sent.tool_choice).toEqual({ type: "auto" });
  expect((await sendChat(claude, { model: "claude", messages, tools, tool_choice: allowed("required", "get_weather", "get_time") })).sent.tool_choice).toEqual({ type: "any" });
});

test("Anthropic: allowed_tools naming some of the tools is a 400 naming it, without a vendor call", async () => {
  expect(await sendChat(claude, { model: "claude", messages, tools, tool_choice: allowed("required", "get_time") })).toMatchObject({ refused: true, param: "tool_choice.allowed_tools.tools" });
});

test("an allowed tool that is not among the tools, or a mode other than auto or required, is a 400 naming it on both", async () => {
  for (const vendor of [gemini, claude]) {
    const model = vendor === gemini ? "gemini" : "claude";
    expect(await sendChat(vendor, { model, messages, tools, tool_choice: allowed("required", "get_time", "get_news") })).toMatchObject({ refused: true, param: "tool_choice.allowed_tools.tools[1]" });
    expect(await sendChat(vendor, { model, messages, tools, tool_choice: allowed("none", "get_time") })).toMatchObject({ refused: true, param: "tool_choice.allowed_tools.mode" });
  }
});

test("Anthropic: allowed_tools required beside a JSON response_format is refused as tool_choice 'required' is (the JSON answer is a forced call)", async () => {
  const response_format = { type: "json_object" };
  expect(await sendChat(claude, { model: "claude", messages, tools, tool_choice: allowed("required", "get_weather", "get_time"), response_format })).toMatchObject({ refused: true, param: "tool_choice" });
  expect((await sendChat(claude, { model: "claude", messages, tools, tool_choice: allowed("auto", "get_weather", "get_time"), response_format })).sent.tool_choice).toEqual({ type: "any" });
});

test("Anthropic: allowed_tools auto forces nothing, so beside a JSON response_format and a thinking budget the 400 names response_format, as with tool_choice 'auto'", async () => {
  // Claude Sonnet 4 has no JSON outputs: its JSON answer is a forced tool call, refused beside a budget.
  const body = { model: "claude", messages, tools, response_format: { type: "json_object" }, reasoning_effort: "low" };
  expect(await sendChat(claude4, { ...body, tool_choice: "auto" })).toMatchObject({ refused: true, param: "response_format" });
  expect(await sendChat(claude4, { ...body, tool_choice: allowed("auto", "get_weather", "get_time") })).toMatchObject({ refused: true, param: "response_format" });
  expect(await sendChat(claude4, { ...body, tool_choice: allowed("required", "get_weather", "get_time") })).toMatchObject({ refused: true, param: "tool_choice" });
});

test("without tools (tools: [] or none), allowed_tools in mode auto asks for nothing and is answered by both, as tool_choice 'auto' is", async () => {
  const choice = allowed("auto", "get_weather");
  for (const vendor of [gemini, claude]) {
    const model = vendor === gemini ? "gemini" : "claude";
    for (const noTools of [{ tools: [] }, {}]) {
      const { refused, param, sent } = await sendChat(vendor, { model, messages, ...noTools, tool_choice: choice });
      expect({ refused, param }).toEqual({ refused: false, param: null });
      expect([sent.tools, sent.tool_choice, sent.toolConfig]).toEqual([undefined, undefined, undefined]);
    }
  }
});
