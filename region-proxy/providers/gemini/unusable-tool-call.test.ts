import { expect, test } from "bun:test";
import OpenAI from "openai";
import { fakeDeployment, useVendorProxy } from "../testing/use-vendor-proxy.ts";

// Gemini ends with finishReason MALFORMED_FUNCTION_CALL (or UNEXPECTED_TOOL_CALL) when the model's tool
// call cannot be used: no content, nothing to hand back. That is a failed attempt, not an empty
// `stop` an SDK tool runner would take as the model's last word: fallen back like any invalid answer
// (but not retried on the same deployment, whose model just botched this request's call), and an
// error frame once a stream has begun.
const t = useVendorProxy({
  fakes: ["gemini"],
  configure(s) {
    s.deployments.dep_malformed = fakeDeployment("dep_malformed", "gemini", t.gemini.url, "malformed-call");
    s.deployments.dep_malformed_late = fakeDeployment("dep_malformed_late", "gemini", t.gemini.url, "malformed-call-after-text");
    s.deployments.dep_gemini = fakeDeployment("dep_gemini", "gemini", t.gemini.url, "gemini-fake");
    s.aliases.malformed = { name: "malformed", chain: ["dep_malformed"] };
    s.aliases.recovers = { name: "recovers", chain: ["dep_malformed", "dep_gemini"] };
    s.aliases.late = { name: "late", chain: ["dep_malformed_late", "dep_gemini"] };
  },
});

const messages = [{ role: "user" as const, content: "weather in Paris?" }];
const tools = [{ type: "function" as const, function: { name: "get_weather", parameters: { type: "object", properties: { city: { type: "string" } } } } }];

test("unstreamed: an unusable tool call is an invalid answer, fallen back without a retry", async () => {
  const { data, response } = await t.fx.client(t.proxy).chat.completions.create({ model: "recovers", messages, tools }).withResponse();
  expect(data.choices[0]!.message.content).toBe("Echo: weather in Paris?");
  expect(response.headers.get("x-gateway-fallback")).toBe("true");
  expect(response.headers.get("x-gateway-attempts")).toBe("2");
  const error = await t.fx.client(t.proxy, undefined, { maxRetries: 0 }).chat.completions.create({ model: "malformed", messages, tools }).catch((e) => e);
  expect(error).toBeInstanceOf(OpenAI.APIError);
  expect(error.status).toBe(502);
  expect(error.code).toBe("upstream_invalid_response");
});

test("streamed before the first chunk: falls back like the unstreamed answer", async () => {
  const stream = await t.fx.client(t.proxy).chat.completions.create({ model: "recovers", messages, tools, stream: true });
  let text = "";
  for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
  expect(text).toBe("Echo: weather in Paris?");
});

test("streamed after text went out: one error frame, no [DONE], no finish_reason stop", async () => {
  const res = await t.post({ model: "late", messages, tools, stream: true });
  expect(res.status).toBe(200);
  const text = await res.text();
  const frames = text.split("\n\n").filter((f) => f.startsWith("data: "));
  expect(frames.some((f) => f.includes('"content":"Echo:'))).toBe(true);
  expect(JSON.parse(frames.at(-1)!.slice(6)).error.code).toBe("upstream_invalid_response");
  expect(text.includes('"finish_reason":"stop"')).toBe(false);
  expect(text.includes("data: [DONE]")).toBe(false);
});
