/**
 * An Azure stream whose content filter error event carries code `content_filter` but no `status`
 * (the documented error object's `status: 400` is an extra field; `code` is what identifies it) is
 * judged a server error (streamErrorStatus falls to 500): retried, then the prompt Azure's policy
 * refused is sent on to the next deployment, instead of the caller getting the 400 content_filter
 * the same error answers as an HTTP status.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { APIError } from "openai";
import { startScriptedVendor } from "../../testing/scripted-vendor.ts";

const filtered = {
  error: {
    message: "The response was filtered due to the prompt triggering Azure OpenAI's content management policy.",
    type: null,
    param: "prompt",
    code: "content_filter",
    innererror: { code: "ResponsibleAIPolicyViolation", content_filter_result: { hate: { filtered: true, severity: "high" } } },
  },
};
let v: Awaited<ReturnType<typeof startScriptedVendor>>;
beforeAll(async () => {
  v = await startScriptedVendor({ "az-cf": { provider: "azure", sse: `data: ${JSON.stringify(filtered)}\n\ndata: [DONE]\n\n` } }, true);
});
afterAll(() => v.stop());

test("an in-stream content_filter error without status is the caller's 400, not a fallback", async () => {
  let error: unknown = null;
  let content = "";
  try {
    const s = await v.client.chat.completions.create({ model: "az-cf", messages: [{ role: "user", content: "hi" }], stream: true });
    for await (const c of s) content += c.choices[0]?.delta?.content ?? "";
  } catch (e) {
    error = e;
  }
  expect(content).toBe("");
  expect(error).toBeInstanceOf(APIError);
  expect((error as APIError).status).toBe(400);
  expect((error as APIError).code).toBe("content_filter");
  expect(v.calls.get("az-cf")).toBe(1);
});
