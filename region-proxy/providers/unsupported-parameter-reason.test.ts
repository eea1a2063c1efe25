/**
 * A refused parameter's trail reason names only a field the gateway knows, never text the client
 * wrote: a top-level field name the client chose (refused by a translating adapter's
 * refuseUnknownFields) would otherwise leave the region in the usage event, forge or swell the proxy's
 * log lines, and (holding a NUL) make a billed request's event one the control plane refuses.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { startFakeGemini } from "../../test/fakes/gemini.ts";
import type { FakeVendor } from "../../test/fakes/fake-server.ts";
import type { RunningProxy } from "../main.ts";
import { createProxyFixture, REGION, waitFor, type ProxyFixture } from "../testing/proxy-fixture.ts";
import { unsupportedParameterReason } from "./unsupported-parameter-reason.ts";

let fx: ProxyFixture;
let gemini: FakeVendor;
let proxy: RunningProxy;
beforeAll(async () => {
  fx = await createProxyFixture();
  gemini = await startFakeGemini({ apiKey: "gem-key" });
  await fx.publish(
    fx.snapshot(1, (s) => {
      s.deployments.dep_gem = { id: "dep_gem", provider: "gemini", baseUrl: gemini.url, model: "gemini-2.5-flash", region: REGION, credentialRef: "env:GEM_KEY" };
      s.aliases.gem = { name: "gem", chain: ["dep_gem"] };
      // A refused 2xx (billed) first, then the Gemini deployment skipped for the field, then an answer.
      s.aliases.mixed = { name: "mixed", chain: ["dep_garbage", "dep_gem", "dep_echo1"] };
    }),
  );
  proxy = await fx.startProxy({ credentials: { ECHO_KEY: "sk-echo-test", GEM_KEY: "gem-key" } });
});
afterAll(async () => {
  await fx.cleanup();
  await gemini.stop();
});

const send = (requestId: string, body: string) =>
  fetch(`${proxy.url}/v1/chat/completions`, {
    method: "POST",
    headers: { authorization: `Bearer ${fx.keys.main}`, "content-type": "application/json", "x-request-id": requestId },
    body,
  });

const eventsOf = (requestId: string) => [...fx.origin.state.events.values()].filter((e) => e.requestId === requestId);

test("a known field keeps its name in the reason; a name the client chose does not", () => {
  expect(unsupportedParameterReason("logprobs")).toBe("unsupported_parameter:logprobs");
  expect(unsupportedParameterReason("messages[3].tool_calls[0].function.arguments")).toBe("unsupported_parameter:messages[3].tool_calls[0].function.arguments");
  expect(unsupportedParameterReason("tools[0].function.name")).toBe("unsupported_parameter:tools[0].function.name");
  expect(unsupportedParameterReason("input")).toBe("unsupported_parameter:input");
  for (const chosen of ["top_k", "task_type", "jane_doe_hiv", "x\u0000y", "a\nb", "k".repeat(900_000), "messages\nforged", `messages.${"a".repeat(130)}`, "Model", "__proto__", "constructor"]) {
    expect(unsupportedParameterReason(chosen)).toBe("unsupported_parameter");
  }
});

test("a refused field name the client chose reaches neither the usage event nor the log; the client's 400 still names it", async () => {
  const field = "Patient Jane Doe, diagnosis: HIV\nrequest req_forged: key refused";
  const res = await send("req-field-name", JSON.stringify({ model: "gem", messages: [{ role: "user", content: "hi" }], [field]: 1 }));
  expect(res.status).toBe(400);
  expect(((await res.json()) as { error: { param: string } }).error.param).toBe(field);
  await waitFor(() => eventsOf("req-field-name").length === 1, "usage event shipped");
  const [event] = eventsOf("req-field-name");
  expect(event!.attemptTrail!.map((s) => `${s.deploymentId}:${s.outcome}:${s.reason}`)).toEqual(["dep_gem:skipped:unsupported_parameter"]);
  expect(JSON.stringify(event)).not.toContain("Jane Doe");
  expect(fx.logs.join("\n")).not.toContain("Jane Doe");
  expect(fx.logs.some((line) => line.includes("\n"))).toBe(false);
});

test("a usage event and its log lines stay small whatever field name the client sends", async () => {
  const res = await send("req-huge-name", JSON.stringify({ model: "gem", messages: [{ role: "user", content: "hi" }], ["k".repeat(900_000)]: 1 }));
  expect(res.status).toBe(400);
  await res.text();
  await waitFor(() => eventsOf("req-huge-name").length === 1, "usage event shipped");
  expect(JSON.stringify(eventsOf("req-huge-name")[0]).length).toBeLessThan(10_000);
  expect(Math.max(...fx.logs.map((line) => line.length))).toBeLessThan(10_000);
});

test("a billed request's usage event reaches the ledger whatever field names the client sent (a NUL in one)", async () => {
  const res = await send("req-nul-name", `{"model":"mixed","messages":[{"role":"user","content":"hi"}],"x\\u0000y":1}`);
  expect(res.status).toBe(200);
  await res.text();
  await waitFor(() => eventsOf("req-nul-name").length === 1, "usage event accepted by the control plane");
  const [event] = eventsOf("req-nul-name");
  expect(event!.costMicros).toBeGreaterThan(0);
  expect(event!.attemptTrail!.map((s) => s.reason)).toContain("unsupported_parameter");
});
