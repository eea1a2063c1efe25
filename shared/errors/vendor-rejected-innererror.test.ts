import { expect, test } from "bun:test";
import { renderError, type ContentFilterInnerError } from "./openai-error.ts";

const innererror: ContentFilterInnerError = { code: "ResponsibleAIPolicyViolation", content_filter_result: { hate: { filtered: true, severity: "high" }, jailbreak: { filtered: false, detected: false } } };

test("a content_filter refusal carries its innererror in the OpenAI-shaped error, next to the usual fields", () => {
  const rendered = renderError({ kind: "vendor_rejected", status: 400, message: "filtered", code: "content_filter", param: "prompt", innererror });
  expect(rendered.status).toBe(400);
  expect(rendered.body).toEqual({ error: { message: "filtered", type: "invalid_request_error", param: "prompt", code: "content_filter", innererror } });
});

test("any other vendor refusal has no innererror, even if one was given", () => {
  const rendered = renderError({ kind: "vendor_rejected", status: 400, message: "bad", code: "invalid_value", param: "temperature", innererror });
  expect(rendered.body.error).not.toHaveProperty("innererror");
  expect(renderError({ kind: "vendor_rejected", status: 400, message: "filtered", code: "content_filter", param: "prompt" }).body.error).not.toHaveProperty("innererror");
});
