/**
 * A strict tool whose schema is a long chain of local $refs (each definition wrapping the next in
 * `not`): ~250 KB, under the 1 MiB body limit and the JSON depth bound. strict-inexpressible.ts walked
 * it recursively following each $ref, so its depth was the chain's length, not the JSON depth, and the
 * request died of a RangeError (500). The walk now keeps its own stack: the schema is judged like any
 * other, and the request is answered. Through the proxy to the fake Anthropic on a strict-tools
 * deployment, then the walk itself.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startFakeAnthropic } from "../../../test/fakes/anthropic.ts";
import { REGION, waitFor } from "../../testing/proxy-fixture.ts";
import { startVendorBehindProxy, type VendorBehindProxy } from "../../testing/vendor-behind-proxy.ts";
import { strictCannotExpress } from "./strict-inexpressible.ts";
import { convertTools, STRICT_TOOLS_FLAG } from "./tools.ts";

let vp: VendorBehindProxy;
beforeAll(async () => {
  vp = await startVendorBehindProxy({ provider: "anthropic", start: startFakeAnthropic }, { claude: "claude-fake" });
  await vp.fx.publish(
    vp.fx.snapshot(2, (s) => {
      s.deployments.dep_claude_strict = { id: "dep_claude_strict", provider: "anthropic", baseUrl: vp.fake.url, model: "claude-fake", region: REGION, credentialRef: "env:VENDOR_KEY", flags: [STRICT_TOOLS_FLAG] };
      s.aliases.claude_strict = { name: "claude_strict", chain: ["dep_claude_strict"] };
    }),
  );
  await waitFor(() => vp.proxy.snapshotVersion() === 2, "the strict-tools deployment loaded");
});
afterAll(() => vp?.stop());

/** `defs` definitions, each the next one's $ref (the last a string) wrapped in `wraps` levels of `not`. */
function chainSchema(defs: number, wraps: number, last: unknown = { type: "string" }): Record<string, unknown> {
  const $defs: Record<string, unknown> = {};
  for (let i = 0; i < defs; i++) {
    let node: unknown = i + 1 < defs ? { $ref: `#/$defs/${(i + 1).toString(36)}` } : last;
    for (let j = 0; j < wraps; j++) node = { not: node };
    $defs[i.toString(36)] = node;
  }
  return { type: "object", properties: { a: { $ref: "#/$defs/0" } }, required: ["a"], additionalProperties: false, $defs };
}

test("through the proxy: a strict tool with a ~250 KB $ref chain is answered, not a 500", async () => {
  const parameters = chainSchema(300, 100);
  expect(JSON.stringify(parameters).length).toBeLessThan(300_000);
  const answer = await vp.client.chat.completions.create(
    { model: "claude_strict", messages: [{ role: "user", content: "call tool" }], tools: [{ type: "function", function: { name: "f", strict: true, parameters } }] },
    { maxRetries: 0 },
  );
  expect(answer.choices[0]!.message.tool_calls?.[0]).toMatchObject({ function: { name: "f" } });
});

test("the walk follows a chain of 30,000 $refs without a stack overflow, and still finds what is at its end", () => {
  expect(strictCannotExpress(chainSchema(30_000, 0))).toBeNull();
  expect(strictCannotExpress(chainSchema(30_000, 0, { type: "object" }))).toBe("an object with additionalProperties other than false");
  expect(strictCannotExpress(chainSchema(30_000, 0, { $ref: "#/$defs/0" }))).toBe('a recursive $ref ("#/$defs/0")');
  expect(strictCannotExpress(chainSchema(30_000, 0, { $ref: "#/$defs/nowhere" }))).toBe('a $ref that is not to this schema ("#/$defs/nowhere")');
});

test("a long chain that strict mode can express stays strict; one that ends in recursion goes without", () => {
  const strictOf = (parameters: Record<string, unknown>) => convertTools([{ type: "function", function: { name: "f", strict: true, parameters } }], undefined, undefined, undefined, true).tools![0]!.strict;
  expect(strictOf(chainSchema(5_000, 0))).toBe(true);
  expect(strictOf(chainSchema(5_000, 0, { $ref: "#/$defs/2" }))).toBeUndefined();
});
