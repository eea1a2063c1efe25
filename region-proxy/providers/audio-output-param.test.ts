/**
 * Audio output asked of Anthropic or Gemini (neither answers it) is refused naming the field the client
 * sent: `audio` alone names `audio`, not `modalities`; `modalities` with audio names `modalities`, with
 * or without `audio` beside it (as unpriced-audio.ts orders them for OpenAI).
 */
import { describe, expect, test } from "bun:test";
import type { SnapshotDeployment } from "../../shared/snapshot/schema.ts";
import { buildAnthropicRequest } from "./anthropic/request.ts";
import { buildGeminiRequest } from "./gemini/request.ts";
import type { ChatRequest, VendorHttpRequest } from "./types.ts";
import { UnsupportedParameterError } from "./unsupported-parameter.ts";

const vendors: [string, (req: ChatRequest, target: SnapshotDeployment, credential: string) => VendorHttpRequest, SnapshotDeployment][] = [
  ["anthropic", buildAnthropicRequest, { id: "dep_a", provider: "anthropic", baseUrl: "https://api.anthropic.com", model: "claude-sonnet-4-5", region: "eu", credentialRef: "env:A" }],
  ["gemini", buildGeminiRequest, { id: "dep_g", provider: "gemini", baseUrl: "https://generativelanguage.googleapis.com", model: "gemini-2.5-flash", region: "eu", credentialRef: "env:G" }],
];

const refusedParam = (build: (typeof vendors)[number][1], target: SnapshotDeployment, raw: Record<string, unknown>): string | null => {
  const req: ChatRequest = { model: "m", messages: [{ role: "user", content: "hi" }], stream: false, includeUsage: false, raw: { model: "m", messages: [], ...raw } };
  try {
    build(req, target, "k");
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(UnsupportedParameterError);
    return (error as UnsupportedParameterError).param;
  }
};

describe.each(vendors)("%s", (_name, build, target) => {
  test("`audio` alone is refused naming `audio`, the field sent", () => {
    expect(refusedParam(build, target, { audio: { voice: "alloy", format: "wav" } })).toBe("audio");
  });

  test("`modalities` with audio is refused naming `modalities`, with `audio` beside it or not", () => {
    expect(refusedParam(build, target, { modalities: ["text", "audio"] })).toBe("modalities");
    expect(refusedParam(build, target, { modalities: ["text", "audio"], audio: { voice: "alloy", format: "wav" } })).toBe("modalities");
  });

  test("text-only modalities and a null audio ask for nothing", () => {
    expect(refusedParam(build, target, { modalities: ["text"], audio: null })).toBeNull();
  });
});
