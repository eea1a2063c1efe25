/**
 * The OpenAI adapter against the fake OpenAI's in-stream error models: buildRequest → fetch (here, in
 * the test) → the SSE reader and the stream translator; and classifyError on the same models
 * unstreamed. The rest of the fake is held to OpenAI's contract by test/conformance/openai.test.ts.
 */
import { describe } from "bun:test";
import { adapterAgainstFake, adapterStreamErrorTests } from "../../../test/fakes/adapter-against-fake.ts";
import { startFakeOpenAI } from "../../../test/fakes/openai.ts";
import type { ChatRequest, ResponseContext } from "../types.ts";
import { openaiAdapter } from "./adapter.ts";

const ctx: ResponseContext = { completionId: "chatcmpl-oe2e", created: 1, model: "gpt-fake", includeUsage: true };
const vendor = adapterAgainstFake({
  adapter: openaiAdapter,
  start: startFakeOpenAI,
  key: "sk-fake",
  target: (baseUrl, model = "gpt-fake") => ({ id: "dep_o", provider: "openai", baseUrl: `${baseUrl}/v1`, model, region: "us", credentialRef: "env:O" }),
  ctx,
  // The OpenAI adapter sends the client's raw body on, so a streamed request says so there too.
  streamed: (req) => ({ ...req, stream: true, raw: { ...req.raw, stream: true } }),
});

function request(): ChatRequest {
  const messages = [{ role: "user" as const, content: "hello there" }];
  return { model: "alias", messages, stream: false, includeUsage: true, raw: { model: "alias", messages } };
}

describe("openai adapter against the fake", () => {
  // A server error as OpenAI sends it inside a stream (quoted off the wire in sashabaranov/go-openai#396).
  adapterStreamErrorTests(vendor, {
    adapter: openaiAdapter,
    ctx,
    request,
    eventName: null,
    overloaded: { data: { error: { message: "The server experienced an error while processing your request. We apologize for the inconvenience!", type: "server_error", param: null, code: null } }, reason: "status_500" },
    invalid: { data: { error: { message: "Invalid value for 'temperature': must be at most 2.", type: "invalid_request_error", param: "temperature", code: "invalid_value" } }, message: "Invalid value for 'temperature': must be at most 2." },
  });
});
