/**
 * An unstreamed answer whose choice breaks what the SDK relies on (content an object or a number, an
 * index that is no integer, a numeric finish_reason, a refusal that is no string) is refused as the
 * same fields in a stream are (check-choice-fields.ts), and the next deployment answers.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { head, startRawVendors } from "../../testing/raw-vendor.ts";

const answer = (choice: Record<string, unknown>) => JSON.stringify({ id: "x", object: "chat.completion", created: 1, model: "m", choices: [{ index: 0, message: { role: "assistant", content: "vendor" }, finish_reason: "stop", ...choice }], usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 } });
const cases: Record<string, string> = {
  object_content: answer({ message: { role: "assistant", content: { text: "hi" } } }),
  number_content: answer({ message: { role: "assistant", content: 5 } }),
  fraction_index: answer({ index: 0.5 }),
  number_finish: answer({ finish_reason: 1 }),
  object_refusal: answer({ message: { role: "assistant", content: null, refusal: { no: true } } }),
};
let t: Awaited<ReturnType<typeof startRawVendors>>;
beforeAll(async () => {
  const vendors = Object.fromEntries(
    Object.entries(cases).map(([name, body]) => [`dep_${name}`, { provider: "openai" as const, script: (s: { write(x: string): unknown; end(): void }) => { s.write(head("200 OK", { "content-type": "application/json", "content-length": Buffer.byteLength(body) }) + body); s.end(); } }]),
  );
  t = await startRawVendors(vendors, Object.fromEntries(Object.keys(cases).map((name) => [name, [`dep_${name}`, "dep_echo1"]])));
});
afterAll(() => t?.stop());

for (const name of Object.keys(cases)) {
  test(`an unstreamed answer with ${name.replace("_", " ")} is refused and the next deployment answers`, async () => {
    const { data, response } = await t.client.chat.completions.create({ model: name, messages: [{ role: "user", content: "hi" }] }).withResponse();
    expect(typeof data.choices[0]!.message.content).toBe("string");
    expect(data.choices[0]!.message.content).not.toBe("vendor");
    expect(response.headers.get("x-gateway-fallback")).toBe("true");
  });
}

test("a well-formed answer from the same vendor passes", async () => {
  const body = answer({});
  const ok = await startRawVendors({ dep_ok: { provider: "openai", script: (s) => { s.write(head("200 OK", { "content-type": "application/json", "content-length": Buffer.byteLength(body) }) + body); s.end(); } } }, { ok: ["dep_ok"] });
  try {
    const data = await ok.client.chat.completions.create({ model: "ok", messages: [{ role: "user", content: "hi" }] });
    expect(data.choices[0]!.message.content).toBe("vendor");
  } finally {
    await ok.stop();
  }
});
