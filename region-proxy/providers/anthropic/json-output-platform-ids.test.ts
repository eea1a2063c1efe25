/**
 * JSON outputs (output_config.format) are not sent on a Bedrock or Vertex form of id: Bedrock has
 * answered "output_config.format: Extra inputs are not permitted" for Claude there (vectorize-io/hindsight#3300
 * on Haiku 4.5, presenton/presenton#939 on Sonnet 5, vercel/ai#14773) and Vertex has them off by default
 * by organization policy. There a JSON response_format the forced tool cannot carry stays the 400 naming
 * response_format before the call, so a chain skips the deployment; and should the vendor still answer
 * those words, the 400 names response_format. Through the proxy with the openai SDK and the fake Anthropic,
 * which refuses the field on any id but a current-form one, as Bedrock does.
 */
import { expect, test } from "bun:test";
import { classifyAnthropicError } from "./errors.ts";
import { takesJsonOutputs } from "./claude-generation.ts";
import { fakeDeployment, useVendorProxy } from "../testing/use-vendor-proxy.ts";

const t = useVendorProxy({
  fakes: ["anthropic"],
  configure(s) {
    s.deployments.dep_bedrock = fakeDeployment("dep_bedrock", "anthropic", t.anthropic.url, "us.anthropic.claude-opus-5-5-v1:0");
    s.deployments.dep_sonnet45 = fakeDeployment("dep_sonnet45", "anthropic", t.anthropic.url, "claude-sonnet-4-5");
    s.aliases.bedrock_then_sonnet = { name: "bedrock_then_sonnet", chain: ["dep_bedrock", "dep_sonnet45"] };
  },
});
const schema = { type: "object", properties: { city: { type: "string" } }, required: ["city"], additionalProperties: false };
const format = { type: "json_schema" as const, json_schema: { name: "place", schema } };

test("a chain of Bedrock's Opus 5.5 then Sonnet 4.5 skips the first (before its call) and Sonnet answers with the forced JSON tool", async () => {
  const { data: answer, response } = await t.fx.client(t.proxy).chat.completions.create({ model: "bedrock_then_sonnet", messages: [{ role: "user", content: "Paris" }], response_format: format }).withResponse();
  // The fake answers a forced JSON tool with {echo: <the user's text>}.
  expect(JSON.parse(answer.choices[0]!.message.content!)).toEqual({ echo: "Paris" });
  expect([response.headers.get("x-gateway-model"), response.headers.get("x-gateway-attempts")]).toEqual(["claude-sonnet-4-5", "1"]);
  expect(t.anthropic.lastRequest()!.body).toMatchObject({ model: "claude-sonnet-4-5", tool_choice: { type: "tool", name: "gateway_json_response" } });
});

test("takesJsonOutputs: not on a Bedrock or Vertex form of id, whatever its version", () => {
  for (const model of ["anthropic.claude-opus-5-5-v1:0", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", "global.anthropic.claude-haiku-4-5-20251001-v1:0", "claude-sonnet-4-5@20250929", "claude-haiku-4-5@20251001"]) {
    expect([model, takesJsonOutputs(model)]).toEqual([model, false]);
  }
  for (const model of ["claude-sonnet-4-5", "claude-opus-5-5", "anthropic/claude-opus-4-6", "claude-haiku-4-5-20251001"]) expect([model, takesJsonOutputs(model)]).toEqual([model, true]);
});

test("the vendor's 'output_config.format: Extra inputs are not permitted' names response_format, with Bedrock's prefix and a relay's wrapping too", () => {
  for (const message of [
    "output_config.format: Extra inputs are not permitted",
    "The model returned the following errors: output_config.format: Extra inputs are not permitted",
    // LiteLLM's proxy in front of Bedrock (vectorize-io/hindsight#3300).
    'litellm.BadRequestError: BedrockException - {"message":"The model returned the following errors: output_config.format: Extra inputs are not permitted"}. Received Model Group=claude-haiku',
    "API Error: 400 output_config.format: Extra inputs are not permitted",
    // The trade-off of matching anywhere (29fc785): these words after another field's path and ': ' (or
    // quoted from the user's own text) name response_format too, where they named no field before. The
    // param only names a field in the client's 400, so a wrong name there costs no more than none.
    "messages.0: output_config.format: Extra inputs are not permitted",
  ]) {
    const error = classifyAnthropicError(400, new Headers(), JSON.stringify({ type: "error", error: { type: "invalid_request_error", message } }));
    expect([message, error.clientError]).toMatchObject([message, { kind: "vendor_rejected", param: "response_format" }]);
  }
  // Another field's output_config (a path ending in it) is not the request's.
  for (const message of ["tools.0.output_config.format: Extra inputs are not permitted", "messages.0.content.0.xoutput_config.format: Extra inputs are not permitted"]) {
    const other = classifyAnthropicError(400, new Headers(), JSON.stringify({ type: "error", error: { type: "invalid_request_error", message } }));
    expect([message, other.clientError]).toMatchObject([message, { param: null }]);
  }
});
