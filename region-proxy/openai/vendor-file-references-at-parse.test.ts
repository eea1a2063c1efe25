/**
 * A content part naming a file stored at a vendor (a file part's `file.file_id`, an image URL on
 * Gemini's Files API host) is refused while the request is parsed, for every vendor alike: before
 * the limits step, so such a request spends none of the key's limits (no RPM slot, no reservation)
 * and no limit can answer it in place of the 400 naming the part.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { hashSecret } from "../../shared/ids.ts";
import { startFakeOpenAI } from "../../test/fakes/openai.ts";
import { waitFor } from "../testing/proxy-fixture.ts";
import { startVendorBehindProxy, type VendorBehindProxy } from "../testing/vendor-behind-proxy.ts";
import { parseChatRequest } from "./parse-request.ts";

let vp: VendorBehindProxy;
beforeAll(async () => {
  vp = await startVendorBehindProxy({ provider: "openai", start: startFakeOpenAI, baseUrl: (f) => `${f.url}/v1` }, { m: "gpt-4o-mini" });
  // One request a minute: a refused request that still counted would leave none for the next.
  await vp.fx.publish(
    vp.fx.snapshot(2, (s) => {
      s.deployments.dep_m = { id: "dep_m", provider: "openai", baseUrl: `${vp.fake.url}/v1`, model: "gpt-4o-mini", region: "eu", credentialRef: "env:VENDOR_KEY" };
      s.aliases.m = { name: "m", chain: ["dep_m"] };
      s.keys[hashSecret(vp.fx.keys.main)]!.limits = { rpm: 1 };
    }),
  );
  await waitFor(() => vp.proxy.snapshotVersion() === 2, "snapshot 2");
});
afterAll(() => vp.stop());

const post = (content: unknown) =>
  fetch(`${vp.proxy.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${vp.fx.keys.main}`, "content-type": "application/json" },
    body: JSON.stringify({ model: "m", max_tokens: 20, messages: [{ role: "user", content }] }),
  });
const refusal = async (res: Response) => [res.status, ((await res.json()) as { error?: { param?: string } }).error?.param];

test("a file_id and a Files API image URL are refused before the limits step: the key's one request a minute is still there", async () => {
  const before = vp.fake.calls();
  expect(await refusal(await post([{ type: "text", text: "summarize" }, { type: "file", file: { file_id: "file-abc" } }]))).toEqual([400, "messages[0].content[1].file.file_id"]);
  // Refused on an OpenAI deployment too: the URL names a Gemini file whatever deployment would get it.
  const filesUrl = { type: "image_url", image_url: { url: "https://generativelanguage.googleapis.com/v1beta/files/operatorupload1" } };
  expect(await refusal(await post([{ type: "text", text: "describe" }, filesUrl]))).toEqual([400, "messages[0].content[1].image_url.url"]);
  expect(vp.fake.calls()).toBe(before);
  expect((await post("hello")).status).toBe(200);
});

test("the parser names the field, in any message and whatever the vendor", () => {
  const parsed = (content: unknown[], role = "user") => {
    const result = parseChatRequest({ model: "m", messages: [{ role: "user", content: "hi" }, { role, content }] });
    return result.ok ? null : result.error;
  };
  expect(parsed([{ type: "file", file: { file_id: "file-abc", file_data: "data:application/pdf;base64,JVBERi0=" } }])).toMatchObject({ param: "messages[1].content[0].file.file_id" });
  expect(parsed([{ type: "text", text: "x" }, { type: "file", file: { file_id: "file-abc" } }], "assistant")).toMatchObject({ param: "messages[1].content[1].file.file_id" });
  expect(parsed([{ type: "file", file: { file_data: "data:application/pdf;base64,JVBERi0=", filename: "a.pdf" } }])).toBeNull();
  // null is no file_id (the openai SDK's types allow it beside file_data).
  expect(parsed([{ type: "file", file: { file_id: null, file_data: "data:application/pdf;base64,JVBERi0=" } }])).toBeNull();
});
