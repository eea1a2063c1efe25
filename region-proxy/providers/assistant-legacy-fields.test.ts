/**
 * An assistant message that carries only OpenAI's deprecated `function_call`, or `audio` (an earlier
 * audio answer), with content null, is a 400 naming that field on Anthropic and Gemini, as the
 * top-level `functions`/`function_call` are: dropped with its turn, the user turns around it would be
 * merged into one and the model would never see its own call or answer. Set to null, they ask for nothing.
 */
import { describe, expect, test } from "bun:test";
import { useTranslatingVendors } from "../testing/translating-vendors.ts";
import { sendChat } from "../testing/vendor-behind-proxy.ts";

const v = useTranslatingVendors();

const hi = { role: "user", content: "hi" };

describe.each(["anthropic", "gemini"] as const)("%s", (vendor) => {
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
