/**
 * A context-length refusal is the answer in place of later failures that would invite a retry (5xx,
 * 429, timeouts, a deployment unavailable, open circuits: context-length-fallback.test.ts), not in place
 * of a later deployment's caller error that ended the chain: the larger-window model read the prompt
 * and said what is really wrong with it (a bad image URL). Telling the caller the prompt is too long
 * for the small model instead hides the one error it can fix. The trail names the deployment whose
 * error is the answer.
 */
import { expect, test } from "bun:test";
import type { SnapshotDeployment } from "../../shared/snapshot/schema.ts";
import { testExecuteOptions } from "../testing/execute-options.ts";
import { executeChat } from "./execute.ts";
import { openaiAdapter } from "./openai/adapter.ts";
import type { ChatRequest } from "./types.ts";
import { useCountingVendors } from "../testing/counting-vendor.ts";

const vendor = useCountingVendors();
const TOO_LONG = "This model's maximum context length is 128000 tokens. However, your messages resulted in 200000 tokens.";
const tooLong = () => Response.json({ error: { message: TOO_LONG, type: "invalid_request_error", param: "messages", code: "context_length_exceeded" } }, { status: 400 });
const BAD_IMAGE = "Invalid image URL: 'messages[0].content[1].image_url.url'. Expected a base64-encoded data URL or an https URL.";
const badImage = () => Response.json({ error: { message: BAD_IMAGE, type: "invalid_request_error", param: "messages[0].content[1].image_url.url", code: "invalid_image_url" } }, { status: 400 });
const serverError = () => Response.json({ error: { message: "boom", type: "server_error" } }, { status: 500 });
const messages = [{ role: "user", content: "a very long prompt" }];
const chat = () => ({ model: "m", messages, stream: false, includeUsage: false, raw: { model: "m", messages } }) as unknown as ChatRequest;
const dep = (id: string, url: string, model: string) => ({ deployment: { id, provider: "openai", baseUrl: `${url}/v1`, model, region: "eu", credentialRef: "env:K" } as SnapshotDeployment, adapter: openaiAdapter });

test("too long for the small model, then the large model's caller error: the caller is told the large model's error", async () => {
  const result = await executeChat(chat(), [dep("d_small", vendor(tooLong).url, "gpt-small"), dep("d_large", vendor(badImage).url, "gpt-large")], testExecuteOptions());
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.error).toMatchObject({ kind: "vendor_rejected", status: 400, message: BAD_IMAGE, code: "invalid_image_url" });
  expect({ deployment: result.trail.deployment?.id, fallback: result.trail.fallback }).toEqual({ deployment: "d_large", fallback: true });
});

test("a 500 between the refusal and the caller error does not hide the caller error", async () => {
  const result = await executeChat(chat(), [dep("d_small", vendor(tooLong).url, "gpt-small"), dep("d_down", vendor(serverError).url, "gpt-mid"), dep("d_large", vendor(badImage).url, "gpt-large")], testExecuteOptions({ maxAttempts: 6 }));
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.error).toMatchObject({ kind: "vendor_rejected", status: 400, code: "invalid_image_url" });
  expect(result.trail.deployment?.id).toBe("d_large");
});

test("a refusal, then a 500 that ends the walk: the refusal is still the answer, naming its deployment", async () => {
  const result = await executeChat(chat(), [dep("d_small", vendor(tooLong).url, "gpt-small"), dep("d_down", vendor(serverError).url, "gpt-large")], testExecuteOptions());
  expect(result.ok).toBe(false);
  if (result.ok) return;
  expect(result.error).toMatchObject({ kind: "vendor_rejected", status: 400, code: "context_length_exceeded" });
  expect({ deployment: result.trail.deployment?.id, fallback: result.trail.fallback }).toEqual({ deployment: "d_small", fallback: false });
});
