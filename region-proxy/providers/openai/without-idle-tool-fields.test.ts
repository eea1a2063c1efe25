import { expect, test } from "bun:test";
import type { SnapshotDeployment } from "../../../shared/snapshot/schema.ts";
import { estimatePromptTokens } from "../../limits/estimate-prompt-tokens.ts";
import { buildAzureRequest } from "../azure/request.ts";
import type { ChatRequest } from "../types.ts";
import { buildOpenAIRequest } from "./request.ts";
import { withoutIdleToolFields } from "./without-idle-tool-fields.ts";

const messages = [{ role: "user" as const, content: "hi" }];
const weather = { type: "function", function: { name: "get_weather" } };
const allowed = (mode: string) => ({ type: "allowed_tools", allowed_tools: { mode, tools: [weather] } });

test("without tools: tools: [], a choice that forces nothing and parallel_tool_calls are left out", () => {
  for (const choice of ["auto", "none", allowed("auto")]) {
    expect(withoutIdleToolFields({ messages, tools: [], tool_choice: choice, parallel_tool_calls: false })).toEqual({ messages });
    expect(withoutIdleToolFields({ messages, tool_choice: choice, parallel_tool_calls: true })).toEqual({ messages });
  }
  expect(withoutIdleToolFields({ messages, tools: [] })).toEqual({ messages });
});

test("null ('not given' to OpenAI) and a choice that forces a call pass as sent; a body with tools or none of the fields is the same object", () => {
  expect(withoutIdleToolFields({ messages, tools: null, tool_choice: null, parallel_tool_calls: null })).toEqual({ messages, tools: null, tool_choice: null, parallel_tool_calls: null });
  for (const choice of ["required", { type: "function", function: { name: "get_weather" } }, allowed("required")]) {
    expect(withoutIdleToolFields({ messages, tools: [], tool_choice: choice })).toEqual({ messages, tool_choice: choice });
  }
  const withTools = { messages, tools: [weather], tool_choice: "auto", parallel_tool_calls: false };
  expect(withoutIdleToolFields(withTools)).toBe(withTools);
  const plain = { messages };
  expect(withoutIdleToolFields(plain)).toBe(plain);
});

test("OpenAI and Azure bodies, streamed or not, leave them out; the client request (and its prompt estimate) is untouched", () => {
  const raw = { model: "alias", messages, tools: [], tool_choice: "auto", parallel_tool_calls: true, temperature: 0.2 };
  const target: SnapshotDeployment = { id: "dep", provider: "openai", baseUrl: "https://api.openai.com/v1", model: "gpt-4o", region: "eu", credentialRef: "env:K" };
  for (const stream of [false, true]) {
    const req: ChatRequest = { model: "alias", messages, stream, includeUsage: false, tools: [], tool_choice: "auto", raw: stream ? { ...raw, stream } : { ...raw } };
    const before = structuredClone(req);
    const estimate = estimatePromptTokens(req, "gpt-4o");
    for (const http of [buildOpenAIRequest(req, target, "k"), buildAzureRequest(req, { ...target, provider: "azure", baseUrl: "https://x.openai.azure.com" }, "k")]) {
      const body = JSON.parse(http.body);
      expect(Object.keys(body).filter((k) => k.includes("tool"))).toEqual([]);
      expect(body).toMatchObject({ temperature: 0.2, messages });
      if (stream) expect(body.stream_options).toEqual({ include_usage: true });
    }
    expect(req).toEqual(before);
    expect(estimatePromptTokens(req, "gpt-4o")).toBe(estimate);
    expect(estimate).toBe(estimatePromptTokens({ ...req, tools: undefined, tool_choice: undefined, raw: { model: "alias", messages } }, "gpt-4o"));
  }
});
