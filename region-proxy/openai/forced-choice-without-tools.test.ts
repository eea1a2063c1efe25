/**
 * A tool_choice that forces a call needs a tool to call (OpenAI: "'tool_choice' is only allowed when
 * 'tools' are specified"; Anthropic refuses a forced choice without tools too). Besides "required" and a
 * named function, OpenAI's newer choices force one: a named custom tool (`{type: "custom", custom:
 * {name}}`) and allowed_tools in mode "required". Gemini's adapter drops any tool_choice when there
 * are no tools (gemini/tools.ts), so without this check it would answer as if nothing were forced.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startFakeGemini } from "../../test/fakes/gemini.ts";
import { sendChat, startVendorBehindProxy, type VendorBehindProxy } from "../testing/vendor-behind-proxy.ts";

let vp: VendorBehindProxy;
beforeAll(async () => {
  vp = await startVendorBehindProxy({ provider: "gemini", start: startFakeGemini }, { chat: "gemini-2.5-flash" });
});
afterAll(() => vp.stop());

const messages = [{ role: "user", content: "hi" }];
const weather = { type: "function", function: { name: "get_weather" } };
const allowed = (mode: string) => ({ type: "allowed_tools", allowed_tools: { mode, tools: [weather] } });

test("every tool_choice that forces a call is refused without tools, naming tool_choice, before the call", async () => {
  const forcing = { required: "required", function: { type: "function", function: { name: "get_weather" } }, custom: { type: "custom", custom: { name: "code_exec" } }, allowedRequired: allowed("required") };
  const out: Record<string, string | null> = {};
  for (const [name, choice] of Object.entries(forcing)) {
    for (const tools of [undefined, []]) {
      const r = await sendChat(vp, { model: "chat", messages, tool_choice: choice, ...(tools ? { tools } : {}) });
      out[`${name}${tools ? " []" : ""}`] = r.refused ? r.param : "answered";
    }
  }
  expect(out).toEqual({
    required: "tool_choice",
    "required []": "tool_choice",
    function: "tool_choice",
    "function []": "tool_choice",
    custom: "tool_choice",
    "custom []": "tool_choice",
    allowedRequired: "tool_choice",
    "allowedRequired []": "tool_choice",
  });
});

test("a named custom tool that is not among the tools is refused naming it, as a named function is", async () => {
  const r = await sendChat(vp, { model: "chat", messages, tools: [{ type: "function", function: { name: "code_exec", parameters: { type: "object", properties: {} } } }], tool_choice: { type: "custom", custom: { name: "code_exec" } } });
  expect(r).toMatchObject({ refused: true, param: "tool_choice.custom.name" });
});

test("choices that force nothing still pass without tools: auto, none, allowed_tools in mode auto", async () => {
  for (const choice of ["auto", "none", allowed("auto")]) {
    const r = await sendChat(vp, { model: "chat", messages, tool_choice: choice });
    expect(r.refused).toBe(false);
    expect(r.sent.toolConfig).toBeUndefined();
  }
});
