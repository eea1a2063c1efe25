/** echoStream writes each frame when the reader pulls it: memory is one frame, not the whole answer. */
import { expect, test } from "bun:test";
import type { EchoChoice } from "./echo-answer.ts";
import { echoStream } from "./echo-stream.ts";
import { usageBody } from "./openai-wire.ts";

test("a choice's pieces are read only when its frames are pulled", async () => {
  const read: number[] = [];
  const choice = (index: number): EchoChoice => ({
    index,
    get pieces() {
      read.push(index);
      return ["Echo:", " hi"];
    },
    toolCall: null,
    finish: "stop",
    logprobs: null,
  });
  let abandoned = 0;
  const response = echoStream({ id: "chatcmpl-1", created: 1, model: "echo-1", choices: [choice(0), choice(1)], usage: usageBody(1, 4), includeUsage: false, dropAfterFrames: null, delayMs: 0, onAbandoned: () => abandoned++ });
  const reader = response.body!.getReader();
  const first = new TextDecoder().decode((await reader.read()).value);
  expect(first).toContain('"role":"assistant"');
  expect(read).not.toContain(1);
  await reader.cancel();
  expect(abandoned).toBe(1);
});

test("the whole stream: every choice's frames, then [DONE]", async () => {
  const choice = (index: number): EchoChoice => ({ index, pieces: ["Echo:", " hi"], toolCall: null, finish: "stop", logprobs: null });
  const response = echoStream({ id: "chatcmpl-1", created: 1, model: "echo-1", choices: [choice(0), choice(1)], usage: usageBody(1, 4), includeUsage: true, dropAfterFrames: null, delayMs: 0, onAbandoned: () => {} });
  const frames = (await response.text()).split("\n\n").filter((f) => f !== "");
  expect(frames.length).toBe(2 * 4 + 2);
  expect(frames.at(-1)).toBe("data: [DONE]");
  expect(JSON.parse(frames.at(-2)!.slice(6)).usage.completion_tokens).toBe(4);
});
