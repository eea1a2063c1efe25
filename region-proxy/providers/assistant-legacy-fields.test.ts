/**
 * An assistant message that carries only OpenAI's deprecated `function_call`, or `audio` (an earlier
 * audio answer), with content null, is a 400 naming that field on Anthropic and Gemini, as the
 * top-level `functions`/`function_call` are: dropped with its turn, the user turns around it would be
 * merged into one and the model would never see its own call or answer. Set to null, they ask for nothing.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startFakeAnthropic } from "../../test/fakes/anthropic.ts";
import { startFakeGemini } from "../../test/fakes/gemini.ts";
import { sendChat, startVendorBehindProxy, type VendorBehindProxy } from "../testing/vendor-behind-proxy.ts";

const v: Record<string, VendorBehindProxy> = {};
beforeAll(async () => {
  v.anthropic = await startVendorBehindProxy({ provider: "anthropic", start: startFakeAnthropic }, { m: "claude-sonnet-4-5" });
  v.gemini = await startVendorBehindProxy({ provider: "gemini", start: startFakeGemini }, { m: "gemini-2.5-flash" });
});
afterAll(async () => {
  for (const vendor of Object.values(v)) await vendor.stop();
});

const hi = { role: "user", content: "hi" };

describe.each(["anthropic", "gemini"])("%s", (vendor) => {
  test("an assistant message carrying only function_call is a 400 naming messages[i].function_call", async () => {
    const out = await sendChat(v[vendor]!, {
      model: "m",
      messages: [hi, { role: "assistant", content: null, function_call: { name: "get_weather", arguments: '{"city":"Paris"}' } }, { role: "user", content: "and tomorrow?" }],
    });
    expect({ refused: out.refused, param: out.param }).toEqual({ refused: true, param: "messages[1].function_call" });
  });

  test("an assistant message carrying only audio is a 400 naming messages[i].audio", async () => {
    const out = await sendChat(v[vendor]!, { model: "m", messages: [hi, { role: "assistant", content: null, audio: { id: "audio_abc" } }, { role: "user", content: "again" }] });
    expect({ refused: out.refused, param: out.param }).toEqual({ refused: true, param: "messages[1].audio" });
  });

  test("either beside text is refused too; null (as an SDK echoes an answer back) asks for nothing", async () => {
    expect((await sendChat(v[vendor]!, { model: "m", messages: [hi, { role: "assistant", content: "Sunny.", audio: { id: "audio_abc" } }, hi] })).param).toBe("messages[1].audio");
    const echoed = { role: "assistant", content: "Hello.", refusal: null, audio: null, function_call: null };
    expect((await sendChat(v[vendor]!, { model: "m", messages: [hi, echoed, hi] })).refused).toBe(false);
  });
});
