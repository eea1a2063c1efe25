/**
 * An `input_audio` part counts nothing in the prompt estimate, and may only while no adapter sends one
 * to its vendor: every adapter refuses it before the call (OpenAI and Azure: ../providers/unpriced-audio.ts;
 * Anthropic and Gemini: their content translations), so no vendor bills audio through the proxy. The
 * limits step runs before the adapter builds the call, so counting the clip would only put a TPM or
 * budget refusal before the 400 that says why audio is refused. The first test fails when a provider
 * starts forwarding audio: its duration must then be counted here (estimate-prompt-tokens.ts).
 */
import { expect, test } from "bun:test";
import { PROVIDER_KINDS } from "../../shared/snapshot/provider-operations.ts";
import type { SnapshotDeployment } from "../../shared/snapshot/schema.ts";
import { adapterFor } from "../providers/registry.ts";
import type { ChatMessage, ChatRequest, ContentPart } from "../providers/types.ts";
import { UnsupportedParameterError } from "../providers/unsupported-parameter.ts";
import { estimatePromptTokens } from "./estimate-prompt-tokens.ts";

/** A WAV of `seconds` of 16 kHz 16-bit mono silence: a RIFF header, then its data chunk. */
function wav(seconds: number): string {
  const byteRate = 16_000 * 2;
  const header = Buffer.alloc(44);
  header.write("RIFF", 0, "latin1");
  header.writeUInt32LE(36 + byteRate * seconds, 4);
  header.write("WAVEfmt ", 8, "latin1");
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(16_000, 24);
  header.writeUInt32LE(byteRate, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write("data", 36, "latin1");
  header.writeUInt32LE(byteRate * seconds, 40);
  return Buffer.concat([header, Buffer.alloc(byteRate * seconds)]).toString("base64");
}

const question: ContentPart = { type: "text", text: "What is said in this recording?" };
/** 30 s of audio: ~1.3 MB of base64, ~320,000 tokens were it counted as text. */
const spoken: ContentPart = { type: "input_audio", input_audio: { data: wav(30), format: "wav" } } as unknown as ContentPart;
const request = (content: ContentPart[]): ChatRequest => {
  const messages: ChatMessage[] = [{ role: "user", content }];
  return { model: "alias", messages, stream: false, includeUsage: false, raw: { model: "alias", messages } };
};

test("every provider's adapter refuses an input_audio part before the call, naming it", () => {
  for (const kind of PROVIDER_KINDS) {
    const target: SnapshotDeployment = { id: `dep_${kind}`, provider: kind, baseUrl: "https://vendor.example", model: "some-model", region: "eu", credentialRef: "env:KEY" };
    let caught: unknown;
    try {
      adapterFor(kind)!.buildRequest(request([question, spoken]), target, "key");
    } catch (error) {
      caught = error;
    }
    expect([kind, caught instanceof UnsupportedParameterError]).toEqual([kind, true]);
    expect([kind, (caught as UnsupportedParameterError).param]).toEqual([kind, expect.stringMatching(/^messages\[0\]\.content\[1\]/)]);
  }
});

test("the estimate counts an input_audio part at nothing, its base64 not as text, for every vendor's models", () => {
  for (const model of ["gpt-4o-audio-preview", "my-azure-deployment", "claude-sonnet-4-5", "gemini-2.5-flash"]) {
    expect([model, estimatePromptTokens(request([question, spoken]), model)]).toEqual([model, estimatePromptTokens(request([question]), model)]);
  }
});
