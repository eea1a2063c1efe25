/**
 * A reasoning model served OpenAI-style (DeepSeek, vLLM, OpenRouter) answers with its visible thinking
 * in `reasoning_content`; the openai SDK keeps it on the message a client pushes back into `messages`,
 * and agents pad every assistant message with `reasoning_content: ""` (DeepSeek's thinking mode asks
 * for it). Behind an "openai" deployment the echo reaches the vendor as sent; a Gemini (or Anthropic)
 * deployment drops it (message-fields.ts): it was a 400 before the call there, so an outage of the
 * primary ended the conversation with the primary's 502 instead of falling back, and a Gemini alias
 * refused it outright.
 */
import { afterAll, expect, test } from "bun:test";
import { PRICE } from "../testing/proxy-fixture.ts";
import { fakeDeployment, useVendorProxy } from "./testing/use-vendor-proxy.ts";

let outage = false;
const received: { messages: Record<string, unknown>[] }[] = [];
/** A DeepSeek-like vendor: answers "4" with its reasoning, or a 503 during an outage. */
const vendor = Bun.serve({
  port: 0,
  hostname: "127.0.0.1",
  development: false,
  async fetch(req) {
    const body = (await req.json()) as { model: string; messages: Record<string, unknown>[] };
    received.push(body);
    if (outage) return Response.json({ error: { message: "overloaded", type: "server_error", param: null, code: null } }, { status: 503 });
    return Response.json({
      id: "chatcmpl-ds",
      object: "chat.completion",
      created: 1,
      model: body.model,
      choices: [{ index: 0, finish_reason: "stop", message: { role: "assistant", content: "4", reasoning_content: "2 plus 2 is 4." } }],
      usage: { prompt_tokens: 10, completion_tokens: 12, total_tokens: 22, completion_tokens_details: { reasoning_tokens: 10 } },
    });
  },
});
afterAll(() => vendor.stop(true));

const t = useVendorProxy({
  fakes: ["gemini"],
  configure(s) {
    s.deployments.dep_ds = fakeDeployment("dep_ds", "openai", `http://127.0.0.1:${vendor.port}/v1`, "deepseek-reasoner");
    s.deployments.dep_g = fakeDeployment("dep_g", "gemini", t.gemini.url, "gemini-2.5-flash");
    s.aliases.think = { name: "think", chain: ["dep_ds", "dep_g"] };
    s.aliases.gonly = { name: "gonly", chain: ["dep_g"] };
    s.pricing["openai:deepseek-reasoner"] = PRICE;
    s.pricing["gemini:gemini-2.5-flash"] = PRICE;
  },
});

const ask = { role: "user" as const, content: "2+2?" };

async function duringOutage<T>(run: () => Promise<T>): Promise<T> {
  outage = true;
  try {
    return await run();
  } finally {
    outage = false;
  }
}

test("an answer pushed back as the SDK returned it reaches the OpenAI-format vendor as sent, and Gemini takes over in the primary's outage", async () => {
  const client = t.fx.client(t.proxy);
  const first = await client.chat.completions.create({ model: "think", messages: [ask] });
  const message = first.choices[0]!.message; // the SDK's own object, reasoning_content kept
  expect((message as unknown as { reasoning_content?: string }).reasoning_content).toBe("2 plus 2 is 4.");
  const messages = [ask, message, { role: "user" as const, content: "and 3+3?" }];

  await client.chat.completions.create({ model: "think", messages });
  expect(received.at(-1)!.messages[1]).toMatchObject({ role: "assistant", content: "4", reasoning_content: "2 plus 2 is 4." });

  const geminiCalls = t.gemini.calls();
  const { data, response } = await duringOutage(() => client.chat.completions.create({ model: "think", messages }).withResponse());
  expect(data.choices[0]!.message.content).toBeString();
  expect(t.gemini.calls()).toBe(geminiCalls + 1);
  expect(JSON.stringify(t.gemini.lastRequest()!.body)).not.toContain("2 plus 2 is 4.");
  expect((await t.usageEvent(response.headers.get("x-request-id"))).deploymentId).toBe("dep_g");
});

test("history padded with reasoning_content \"\" (DeepSeek thinking-mode agents) falls back to Gemini too", async () => {
  const padded = [ask, { role: "assistant", content: "4", reasoning_content: "" }, { role: "user", content: "and 3+3?" }];
  const res = await duringOutage(() => t.fx.client(t.proxy).chat.completions.create({ model: "think", messages: padded as never }));
  expect(res.choices[0]!.message.content).toBeString();
});

test("a Gemini alias answers such a history", async () => {
  const padded = [ask, { role: "assistant", content: "4", reasoning_content: "" }, { role: "user", content: "and 3+3?" }];
  const res = await t.fx.client(t.proxy).chat.completions.create({ model: "gonly", messages: padded as never });
  expect(res.choices[0]!.message.content).toBeString();
});
