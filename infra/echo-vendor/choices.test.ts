import { expect, test } from "bun:test";
import { useEchoVendor } from "./test-client.ts";

const echo = useEchoVendor();
const ask = [{ role: "user" as const, content: "Hi there you" }];

test("n answers n choices, indexed, usage counting them all", async () => {
  const one = await echo.client.chat.completions.create({ model: "echo-1", messages: ask });
  const three = await echo.client.chat.completions.create({ model: "echo-1", messages: ask, n: 3 });
  expect(three.choices.map((c) => [c.index, c.message.content, c.finish_reason])).toEqual([0, 1, 2].map((i) => [i, "Echo: Hi there you", "stop"]));
  expect(three.usage!.completion_tokens).toBe(3 * one.usage!.completion_tokens);
  const stream = await echo.client.chat.completions.create({ model: "echo-1", messages: ask, n: 2, stream: true });
  const text = ["", ""];
  for await (const chunk of stream) for (const c of chunk.choices) text[c.index] += c.delta.content ?? "";
  expect(text).toEqual(["Echo: Hi there you", "Echo: Hi there you"]);
});

test("n outside 1..128 is OpenAI's 400 naming n", async () => {
  const res = await echo.post("/v1/chat/completions", { model: "echo-1", messages: ask, n: 130 });
  expect(res.status).toBe(400);
  expect(await res.json()).toEqual({ error: { message: "Invalid 'n': integer above maximum value. Expected a value <= 128, but got 130 instead.", type: "invalid_request_error", param: "n", code: "integer_above_max_value" } });
});

test("stop cuts the content before the first stop sequence, finish_reason stop, streamed too", async () => {
  const reply = await echo.client.chat.completions.create({ model: "echo-1", messages: ask, stop: ["you", "there"] });
  expect([reply.choices[0]!.message.content, reply.choices[0]!.finish_reason]).toEqual(["Echo: Hi ", "stop"]);
  expect((await echo.client.chat.completions.create({ model: "echo-1", messages: ask, stop: "Hi" })).choices[0]!.message.content).toBe("Echo: ");
  const stream = await echo.client.chat.completions.create({ model: "echo-1", messages: ask, stop: "there", stream: true });
  let text = "";
  for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
  expect(text).toBe("Echo: Hi ");
  const five = await echo.post("/v1/chat/completions", { model: "echo-1", messages: ask, stop: ["a", "b", "c", "d", "e"] });
  expect([five.status, ((await five.json()) as { error: { param: string } }).error.param]).toEqual([400, "stop"]);
});

test("logprobs: one entry per content token in OpenAI's shape, top_logprobs as asked", async () => {
  const reply = await echo.client.chat.completions.create({ model: "echo-1", messages: ask, logprobs: true, top_logprobs: 2 });
  const content = reply.choices[0]!.logprobs!.content!;
  expect(content.map((t) => t.token).join("")).toBe("Echo: Hi there you");
  expect(content[0]).toEqual({ token: "Echo:", logprob: 0, bytes: [...Buffer.from("Echo:")], top_logprobs: [{ token: "Echo:", logprob: 0, bytes: [...Buffer.from("Echo:")] }] });
  const plain = await echo.client.chat.completions.create({ model: "echo-1", messages: ask });
  expect(plain.choices[0]!.logprobs).toBeNull();
  const stream = await echo.client.chat.completions.create({ model: "echo-1", messages: ask, logprobs: true, stream: true });
  const tokens: string[] = [];
  for await (const chunk of stream) for (const t of chunk.choices[0]?.logprobs?.content ?? []) tokens.push(t.token);
  expect(tokens.join("")).toBe("Echo: Hi there you");
});
