import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI from "openai";
import { startEchoVendor, type EchoVendor } from "./server.ts";
import { promptTokens } from "./echo-reply.ts";

let vendor: EchoVendor;
let client: OpenAI;

beforeAll(async () => {
  vendor = await startEchoVendor({ port: 0, apiKey: "sk-echo" });
  client = new OpenAI({ baseURL: `${vendor.url}/v1`, apiKey: "sk-echo", maxRetries: 0 });
});
afterAll(() => vendor.stop());

const messages = [
  { role: "system" as const, content: "be brief" },
  { role: "user" as const, content: "hello there general kenobi" },
];

describe("echo vendor", () => {
  test("non-stream answer is deterministic with documented usage", async () => {
    const before = vendor.calls("echo-1");
    const reply = await client.chat.completions.create({ model: "echo-1", messages });
    expect(reply.object).toBe("chat.completion");
    expect(reply.choices[0]!.message.content).toBe("Echo: hello there general kenobi");
    expect(reply.choices[0]!.finish_reason).toBe("stop");
    expect(reply.usage!.prompt_tokens).toBe(Math.ceil((8 + 26) / 4) + 6);
    expect(reply.usage!.prompt_tokens).toBe(promptTokens(messages));
    expect(reply.usage!.completion_tokens).toBe(5);
    expect(reply.usage!.total_tokens).toBe(reply.usage!.prompt_tokens + 5);
    expect(vendor.calls("echo-1")).toBe(before + 1);
  });

  test("max_tokens cuts the reply to that many words with finish_reason length", async () => {
    const reply = await client.chat.completions.create({ model: "echo-1", messages, max_tokens: 2 });
    expect(reply.choices[0]!.message.content).toBe("Echo: hello");
    expect(reply.choices[0]!.finish_reason).toBe("length");
    expect(reply.usage!.completion_tokens).toBe(2);
  });

  test("stream: one chunk per word, usage chunk with empty choices only when asked", async () => {
    const withUsage = await client.chat.completions.create({ model: "echo-1", messages, stream: true, stream_options: { include_usage: true } });
    const chunks = [];
    for await (const chunk of withUsage) chunks.push(chunk);
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? "").join("");
    expect(text).toBe("Echo: hello there general kenobi");
    expect(chunks.filter((c) => c.choices[0]?.delta.content).length).toBe(5);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage!.completion_tokens).toBe(5);

    const plain = await client.chat.completions.create({ model: "echo-1", messages, stream: true });
    const plainChunks = [];
    for await (const chunk of plain) plainChunks.push(chunk);
    expect(plainChunks.every((c) => c.choices.length === 1 && c.usage === undefined)).toBe(true);
    expect(plainChunks.at(-1)!.choices[0]!.finish_reason).toBe("stop");
  });

  test("the raw stream ends with data: [DONE]", async () => {
    const res = await fetch(`${vendor.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: "Bearer sk-echo", "content-type": "application/json" },
      body: JSON.stringify({ model: "echo-1", messages, stream: true }),
    });
    expect(res.headers.get("content-type")).toBe("text/event-stream");
    expect((await res.text()).endsWith("data: [DONE]\n\n")).toBe(true);
  });

  test("wrong key → 401 in OpenAI error shape", async () => {
    const bad = new OpenAI({ baseURL: `${vendor.url}/v1`, apiKey: "sk-wrong", maxRetries: 0 });
    const error = await bad.chat.completions.create({ model: "echo-1", messages }).catch((e) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(error.code).toBe("invalid_api_key");
  });

  test("fault models", async () => {
    const e500 = await client.chat.completions.create({ model: "error-500", messages }).catch((e) => e);
    expect(e500.status).toBe(500);
    const e429 = await client.chat.completions.create({ model: "error-429", messages }).catch((e) => e);
    expect(e429.status).toBe(429);
    expect(e429.headers.get("retry-after")).toBe("1");
    const e400 = await client.chat.completions.create({ model: "error-400", messages }).catch((e) => e);
    expect(e400.status).toBe(400);
    expect(e400.param).toBe("messages");
    const garbage = await fetch(`${vendor.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: "Bearer sk-echo" },
      body: JSON.stringify({ model: "garbage", messages }),
    });
    expect(garbage.status).toBe(200);
    await expect(garbage.json()).rejects.toThrow();
    expect(vendor.calls("error-500")).toBe(1);
  });

  test("a message that is not an object is OpenAI's 400 naming it, not a 500", async () => {
    for (const [bad, got] of [[null, "null"], [5, "an integer"], ["hi", "a string"], [[], "an array"]] as const) {
      const error = await client.chat.completions.create({ model: "echo-1", messages: [messages[1]!, bad as never] }).catch((e) => e);
      expect(error).toBeInstanceOf(OpenAI.BadRequestError);
      expect([error.param, error.code, error.message]).toEqual(["messages[1]", "invalid_type", `400 Invalid type for 'messages[1]': expected an object, but got ${got} instead.`]);
    }
  });

  test("hang never answers until the caller aborts", async () => {
    const started = Date.now();
    const error = await fetch(`${vendor.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: "Bearer sk-echo" },
      body: JSON.stringify({ model: "hang", messages }),
      signal: AbortSignal.timeout(200),
    }).catch((e) => e);
    expect(error.name).toBe("TimeoutError");
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  test("slow takes 50 ms per word, streamed or not", async () => {
    const started = Date.now();
    const reply = await client.chat.completions.create({ model: "slow", messages: [{ role: "user", content: "a b c" }] });
    expect(reply.choices[0]!.message.content).toBe("Echo: a b c");
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
  });

  test("drop ends the stream without [DONE]", async () => {
    const res = await fetch(`${vendor.url}/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: "Bearer sk-echo" },
      body: JSON.stringify({ model: "drop", messages, stream: true }),
    });
    const text = await res.text().catch(() => "(reset)");
    expect(text.includes("[DONE]")).toBe(false);
  });

  test("embeddings are deterministic and /v1/models lists models", async () => {
    const a = await client.embeddings.create({ model: "echo-embed", input: ["abc", "abcd"] });
    const b = await client.embeddings.create({ model: "echo-embed", input: "abc" });
    expect(a.data[0]!.embedding).toEqual(b.data[0]!.embedding);
    expect(a.data[1]!.embedding).not.toEqual(a.data[0]!.embedding);
    // `dimensions` is honoured, as the proxy requires of a vendor's answer.
    expect((await client.embeddings.create({ model: "echo-embed", input: "abc", dimensions: 16 })).data[0]!.embedding).toHaveLength(16);
    expect(a.usage.prompt_tokens).toBe(2);
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toContain("echo-1");
  });
});
