/**
 * Top-level request fields the Anthropic translation must not drop, through a real proxy to the fake
 * Anthropic, read through the official SDK: safety_identifier, OpenAI's successor to `user`, becomes
 * metadata.user_id.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import OpenAI, { APIError } from "openai";
import { startFakeAnthropic } from "../../../test/fakes/anthropic.ts";
import type { FakeVendor } from "../../../test/fakes/fake-server.ts";
import { startVendorBehindProxy } from "../../testing/vendor-behind-proxy.ts";

let fake: FakeVendor;
let client: OpenAI;
let stop: () => Promise<void>;

beforeAll(async () => {
  ({ fake, client, stop } = await startVendorBehindProxy({ provider: "anthropic", start: startFakeAnthropic }, { claude: "claude-fake" }));
});
afterAll(() => stop());

const hi = [{ role: "user" as const, content: "hi" }];

/** The 400 the proxy answered with (asserting no vendor call), or the body the fake received. */
async function send(fields: Record<string, unknown>): Promise<{ param: string | null; sent: any }> {
  const before = fake.calls();
  const outcome = await client.chat.completions.create({ model: "claude", messages: hi, ...fields } as any).then(() => null, (e: unknown) => e);
  if (outcome instanceof APIError && outcome.status === 400) {
    expect(fake.calls()).toBe(before);
    return { param: outcome.param ?? null, sent: null };
  }
  if (outcome) throw outcome;
  expect(fake.calls()).toBe(before + 1);
  return { param: null, sent: fake.lastRequest()!.body };
}

describe("anthropic: safety_identifier", () => {
  test("becomes metadata.user_id, as user does", async () => {
    expect((await send({ safety_identifier: "end-user-42" })).sent.metadata).toEqual({ user_id: "end-user-42" });
  });

  test("with user also set, safety_identifier (its documented replacement) wins", async () => {
    expect((await send({ user: "old-id", safety_identifier: "new-id" })).sent.metadata).toEqual({ user_id: "new-id" });
  });

  test("an empty safety_identifier leaves user in place", async () => {
    expect((await send({ user: "old-id", safety_identifier: "" })).sent.metadata).toEqual({ user_id: "old-id" });
  });

  test("a safety_identifier that is not a string is a 400 naming it", async () => {
    expect((await send({ safety_identifier: 42 })).param).toBe("safety_identifier");
  });
});
