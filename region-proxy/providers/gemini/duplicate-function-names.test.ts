/**
 * Two tools of one name: OpenAI takes them, Gemini refuses the whole request (400 INVALID_ARGUMENT
 * "Duplicate function declaration found: <name>"). Refused before the call naming the second
 * tools[j].function.name, so a chain skips Gemini for the next deployment; the fake refuses it as
 * Gemini does.
 */
import { expect, test } from "bun:test";
import type OpenAI from "openai";
import { useGeminiBehindProxy } from "../testing/gemini-behind-proxy.ts";
import { sendChat } from "../../testing/vendor-behind-proxy.ts";

const gemini = useGeminiBehindProxy("gemini-fake");

const messages = [{ role: "user", content: "look it up" }];
const tool = (name: string) => ({ type: "function", function: { name, parameters: { type: "object", properties: { q: { type: "string" } } } } });

test("a name declared twice is a 400 naming the second, without a call to Gemini", async () => {
  const tools = [tool("search"), tool("lookup"), tool("search")];
  expect(await sendChat(gemini, { model: "gemini", messages, tools })).toMatchObject({ refused: true, param: "tools[2].function.name" });
});

test("reached by fallback, Gemini is skipped for the next deployment, which answers", async () => {
  const tools = [tool("search"), tool("search")] as OpenAI.ChatCompletionTool[];
  const { response } = await gemini.client.chat.completions.create({ model: "down_gemini_echo", messages: [{ role: "user", content: "hi" }], tools }).withResponse();
  expect(response.status).toBe(200);
});

test("the fake refuses duplicate declarations with Gemini's 400, across tools too", async () => {
  for (const tools of [[{ functionDeclarations: [{ name: "search" }, { name: "search" }] }], [{ functionDeclarations: [{ name: "search" }] }, { functionDeclarations: [{ name: "search" }] }]]) {
    const res = await fetch(`${gemini.fake.url}/v1beta/models/gemini-fake:generateContent`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-goog-api-key": "gm-fake" },
      body: JSON.stringify({ contents: [{ role: "user", parts: [{ text: "hi" }] }], tools }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: unknown }).error).toMatchObject({ status: "INVALID_ARGUMENT", message: "Duplicate function declaration found: search" });
  }
});
