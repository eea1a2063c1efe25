/**
 * Top-level request fields the Gemini translation must not drop, through a real proxy to the fake
 * Gemini, read through the official SDK: safety_identifier, OpenAI's successor to `user`, is refused as
 * `user` is (Gemini has no end-user id field).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI, { APIError } from "openai";
import type { FakeVendor } from "../../../test/fakes/fake-server.ts";
import { startFakeGemini } from "../../../test/fakes/gemini.ts";
import { startVendorBehindProxy } from "../../testing/vendor-behind-proxy.ts";

let fake: FakeVendor;
let client: OpenAI;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ fake, client, stop } = await startVendorBehindProxy({ provider: "gemini", start: startFakeGemini }, { gemini: "gemini-fake" }));
});
afterAll(() => stop());

const hi = [{ role: "user" as const, content: "hi" }];

/** The 400 the proxy answered with (asserting no vendor call), or the body the fake received. */
async function send(fields: Record<string, unknown>): Promise<{ param: string | null; sent: any }> {
  const before = fake.calls();
  const outcome = await client.chat.completions.create({ model: "gemini", messages: hi, ...fields } as any).then(() => null, (e: unknown) => e);
  if (outcome instanceof APIError && outcome.status === 400) {
    expect(fake.calls()).toBe(before);
    return { param: outcome.param ?? null, sent: null };
  }
  if (outcome) throw outcome;
  expect(fake.calls()).toBe(before + 1);
  return { param: null, sent: fake.lastRequest()!.body };
}

describe("gemini: safety_identifier", () => {
  test("is a 400 naming it, as user is", async () => {
    expect((await send({ user: "end-user-42" })).param).toBe("user");
    expect((await send({ safety_identifier: "end-user-42" })).param).toBe("safety_identifier");
  });

  test("an empty one asks for nothing and passes, as an empty user does", async () => {
    expect((await send({ user: "", safety_identifier: "" })).param).toBeNull();
  });
});
