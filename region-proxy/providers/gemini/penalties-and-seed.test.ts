/**
 * presence_penalty, frequency_penalty and seed on Gemini (GenerationConfig presencePenalty,
 * frequencyPenalty, seed; https://ai.google.dev/api/generate-content#generationconfig), through the
 * proxy to the fake Gemini, read through the official SDK.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import type OpenAI from "openai";
import { startFakeGemini } from "../../../test/fakes/gemini.ts";
import type { FakeVendor } from "../../../test/fakes/fake-server.ts";
import { startVendorBehindProxy } from "../../testing/vendor-behind-proxy.ts";

let fake: FakeVendor;
let client: OpenAI;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ fake, client, stop } = await startVendorBehindProxy({ provider: "gemini", start: startFakeGemini }, { gemini: "gemini-fake" }));
});
afterAll(() => stop());

const messages = [{ role: "user" as const, content: "hi" }];
const sentConfig = () => (fake.lastRequest()!.body as { generationConfig?: Record<string, unknown> }).generationConfig ?? {};

describe("gemini penalties and seed", () => {
  test("penalties of 0 (OpenAI's no-op default, which many wrappers send) are not forwarded: several Gemini models refuse any penalty", async () => {
    await client.chat.completions.create({ model: "gemini", messages, presence_penalty: 0, frequency_penalty: 0, temperature: 0.5 });
    expect(sentConfig()).toEqual({ temperature: 0.5 });
  });

  test("a penalty other than 0 is forwarded as is", async () => {
    await client.chat.completions.create({ model: "gemini", messages, presence_penalty: -1.5, frequency_penalty: 0.5 });
    expect(sentConfig()).toEqual({ presencePenalty: -1.5, frequencyPenalty: 0.5 });
  });
});
