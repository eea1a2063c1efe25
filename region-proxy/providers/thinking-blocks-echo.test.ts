/**
 * thinking_blocks, Claude's signed thinking as the Anthropic adapter gives it on an answer, echoed back
 * on that assistant message, was a 400 naming messages[i].thinking_blocks on both translating adapters.
 * Anthropic now takes it back when the request thinks (anthropic/thinking-history.test.ts); Gemini,
 * which cannot take another model's thinking, leaves it out like the other echoed reasoning, so a
 * conversation begun on Claude can fall back to or move to Gemini. On any other role it stays a 400.
 */
import { describe, expect, test } from "bun:test";
import { useTranslatingVendors } from "../testing/translating-vendors.ts";
import { sendChat } from "../testing/vendor-behind-proxy.ts";

const v = useTranslatingVendors();
const hi = { role: "user", content: "hi" };
const blocks = [{ type: "thinking", thinking: "THOUGHT-SIGNED", signature: "EqQBCgIY..." }, { type: "redacted_thinking", data: "EmwKAhgB..." }];

describe.each(["anthropic", "gemini"] as const)("%s", (vendor) => {
  test("an assistant message's thinking_blocks, without reasoning_effort, are left out", async () => {
    const out = await sendChat(v[vendor]!, { model: "m", messages: [hi, { role: "assistant", content: "4", reasoning_content: "THOUGHT-SIGNED", thinking_blocks: blocks }, { role: "user", content: "and 3+3?" }] });
    expect(out.refused).toBe(false);
    expect(JSON.stringify(out.sent)).not.toContain("THOUGHT-SIGNED");
    expect(JSON.stringify(out.sent)).not.toContain("EmwKAhgB");
  });

  test("on any other role they are a 400 naming them", async () => {
    expect(await sendChat(v[vendor]!, { model: "m", messages: [{ ...hi, thinking_blocks: blocks }] })).toMatchObject({ refused: true, param: "messages[0].thinking_blocks" });
  });
});
